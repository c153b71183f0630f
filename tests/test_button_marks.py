"""Button marks (advice, owner) and group addressing, without Telegram."""

from __future__ import annotations

import itertools

import pytest

from bot.core.answers import AnswerEngine
from bot.core.content import load_content
from bot.core.triage import decide, load_triage
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram import safety
from bot.telegram.groups import deep_link, mentions, without_mention
from bot.telegram.handlers import category_screen, main_menu_screen, reply_screen, topic_screen
from bot.telegram.triage_screens import outcome_screen, question_screen, tips_screen

CONTENT = load_content()
TRIAGE = load_triage()
BIGGEST_OWNER = cb.MAX_ID  # Telegram ids have at most 52 bits; the mark takes anything SQLite can hold


def data_of(markup):
    return [b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data]


def every_keyboard():
    """Every keyboard the bot can show from this content (in a group or not)."""
    yield main_menu_screen(CONTENT)[1]
    for category in CONTENT.categories:
        yield category_screen(CONTENT, category.id)[1]
    for topic_id in CONTENT.topics:
        yield topic_screen(CONTENT, topic_id)[1]
        for came_from in CONTENT.topics:
            yield topic_screen(CONTENT, topic_id, came_from=came_from)[1]
        yield kb.advice(kb.topic_actions(CONTENT, topic_id, typed=True))
    ids = sorted(CONTENT.topics, key=len, reverse=True)
    yield kb.topic_choices(CONTENT, tuple(ids[:3]))
    engine = AnswerEngine.from_dir(CONTENT.directory)
    check = max(engine.redflags.checks, key=lambda c: len(c.id))
    for kind, topics in (("clarify", tuple(ids[:2])), ("answer", (ids[0],)), ("no_match", ())):
        then = engine.reply_for(kind, topics)
        base = engine.answer("it hurts to sit on the loo")
        question = type(base)("check", then.topics, 0.0, check.question, level=check.level, check=check.id, then=then)
        yield safety.buttons(CONTENT, question)
        yield reply_screen(CONTENT, then)[1]
    longest = "n" * len(TRIAGE.questions)
    for n in range(len(TRIAGE.questions)):
        yield question_screen(TRIAGE, CONTENT, longest[:n])[1]
    for answers in ("y", "n" * (len(TRIAGE.questions) - 1) + "y", "n" * len(TRIAGE.questions)):
        outcome = decide(TRIAGE, answers)
        yield outcome_screen(TRIAGE, CONTENT, outcome, answers)[1]
        yield tips_screen(TRIAGE, CONTENT, outcome)[1]


def test_every_button_fits_64_bytes_with_both_marks_and_decodes_to_the_same_fields():
    count = 0
    for markup in every_keyboard():
        marked = kb.marked(markup, advice=True, owner=BIGGEST_OWNER)
        for plain, data in zip(data_of(markup), data_of(marked), strict=True):
            assert len(data.encode()) <= cb.MAX_BYTES, data
            fields = cb.decode(data)
            assert fields == cb.decode(plain) and not any(f[:1] in (cb.ADVICE, cb.OWNER) for f in fields)
            assert cb.is_advice(data) and cb.owner_of(data) == BIGGEST_OWNER
            count += 1
    assert count > 500


def test_marks_are_stripped_before_any_parser_sees_them():
    data = cb.mark(cb.encode("t", "ice-or-heat", "keep-moving"), advice=True, owner=111)
    assert data == "t:ice-or-heat:keep-moving:!:@33"
    assert cb.decode(data) == ["t", "ice-or-heat", "keep-moving"]
    assert cb.is_advice(data) and cb.owner_of(data) == 111
    # Marking again keeps what is there; a new owner replaces the old one.
    assert cb.mark(data) == data
    assert cb.owner_of(cb.mark(data, owner=222)) == 222 and cb.is_advice(cb.mark(data, owner=222))
    assert cb.decode("m") == ["m"] and not cb.is_advice("m") and cb.owner_of("m") is None


@pytest.mark.parametrize("data", ["!", "@", "m:@", "m:@ZZ", "m:@-1", "m:@" + "z" * 14, "m:@0", "x" * 65, ""])
def test_forged_marks_are_harmless(data):
    assert cb.owner_of(data) is None
    assert isinstance(cb.decode(data), list)


def test_encode_keeps_room_for_the_marks_and_refuses_mark_characters():
    cb.encode("x" * cb.DATA_BYTES)
    with pytest.raises(ValueError):
        cb.encode("x" * (cb.DATA_BYTES + 1))
    for parts in (("!",), ("t", "!x"), ("t", "@1")):
        with pytest.raises(ValueError):
            cb.encode(*parts)


def test_url_buttons_are_left_unmarked():
    markup = kb.InlineKeyboardMarkup([[kb.InlineKeyboardButton("Open", url=deep_link("some_bot", "triage"))]])
    marked = kb.marked(markup, advice=True, owner=5)
    assert marked.inline_keyboard[0][0].url == "https://t.me/some_bot?start=triage"


@pytest.mark.parametrize(("text", "found"), [
    ("@backspasm_test_bot what causes back spasms", True),
    ("what causes back spasms @BackSpasm_Test_Bot?", True),
    ("hey @backspasm_test_bot, help", True),
    ("@backspasm_test_bot_fan hi", False),
    ("mail x@backspasm_test_bot", False),
    ("lol same", False),
    ("", False),
])
def test_mentions(text, found):
    assert mentions(text, "backspasm_test_bot") is found


@pytest.mark.parametrize(("text", "left"), [
    ("@backspasm_test_bot what causes back spasms", "what causes back spasms"),
    ("@backspasm_test_bot, ice or heat?", "ice or heat?"),
    ("ice or heat @backspasm_test_bot", "ice or heat"),
    ("ice   @BACKSPASM_TEST_BOT   or heat", "ice or heat"),
    ("no mention here", "no mention here"),
])
def test_without_mention(text, left):
    assert without_mention(text, "backspasm_test_bot") == left


def test_owner_marks_cover_every_id_telegram_can_give():
    for owner in itertools.chain(range(1, 50), (2**31, 2**52, cb.MAX_ID)):
        assert cb.owner_of(cb.mark("m", owner=owner)) == owner
