"""Flood control: the pure bucket, then the real bot against the fake server."""

from __future__ import annotations

import pytest

from bot.core.flood import ADMIT, DROP, WARN, FloodGate


def test_a_burst_is_answered_then_one_note_then_silence_until_calm():
    gate = FloodGate(burst=3, per_second=1.0)
    assert [gate.admit(1, 0.0) for _ in range(6)] == [ADMIT, ADMIT, ADMIT, WARN, DROP, DROP]
    assert gate.admit(1, 1.0) == ADMIT  # one token back after a second
    assert gate.admit(1, 1.1) == DROP  # still in the same flood: no second note
    assert gate.admit(1, 10.0) == ADMIT  # calm again
    assert [gate.admit(1, 10.0) for _ in range(3)] == [ADMIT, ADMIT, WARN]  # a new flood gets its note


def test_chats_have_their_own_buckets():
    gate = FloodGate(burst=2)
    assert [gate.admit(1, 0.0) for _ in range(3)] == [ADMIT, ADMIT, WARN]
    assert gate.admit(2, 0.0) == ADMIT


def test_memory_stays_bounded(monkeypatch):
    import bot.core.flood as flood

    monkeypatch.setattr(flood, "MAX_TRACKED", 100)
    gate = FloodGate(burst=2)
    for chat in range(1000):
        gate.admit(chat, float(chat))
    assert len(gate._buckets) <= 100


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        FloodGate(burst=0)


async def test_a_flooding_chat_gets_one_note_and_others_are_still_answered(bot, fake, no_violations):
    bot.extra["flood_gate"] = FloodGate(burst=5, per_second=0.01)  # the real gate, tight for a test
    await bot.restart()
    flooder, other = fake.user(701, "Flo"), fake.user(702, "Ann")
    for n in range(40):
        await flooder.send(f"is heat ok for my back {n}")
    await other.send("should i use ice or heat")
    answer = await other.reply()
    assert "heat" in answer.text.lower()
    await fake.wait_until(lambda: len(flooder.messages) >= 6, what="the flooder's replies")
    with pytest.raises(TimeoutError):  # and nothing more comes: the rest of the flood is dropped
        await fake.wait_until(lambda: len(flooder.messages) > 6, timeout=1.5, what="more replies")
    bot_texts = [m.text for m in flooder.messages]  # the bot's messages in that chat
    slow_down = bot.services.content.messages.slow_down
    assert bot_texts.count(slow_down) == 1
    assert len(bot_texts) == 6  # five answers and one note; the other 34 messages cost nothing
