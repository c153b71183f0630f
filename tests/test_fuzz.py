"""Fuzzing (issue 11, item 5): random text and random or mutated button data, for every format the
bot speaks, never raise, and every update gets its answer.

Two layers:

- The pure core, with many examples: the answer engine on any unicode text (control characters,
  emoji, bidi marks, up to 5000 characters) returns a reply Telegram accepts; every parser of
  callback data (callbacks, triage, safety, reminders) and of typed answers (times, zones, the
  symptom check's typed answers) takes any string, including mutations of the data the bot's own
  keyboards carry.
- End to end, with fewer examples: the real Application against the fake Bot API server, typing
  random text and pressing random or mutated data under the bot's real messages, in a private chat
  and in a group.

How Hypothesis meets the async fixtures: pytest-asyncio (1.x) runs a `@given`-decorated `async def`
test itself (its AsyncHypothesisTest item: each example's coroutine runs on the test's event loop,
the one the fixtures were started on). So the function-scoped `bot` and `fake` are set up once per
test function and shared by all its examples - one running bot per test, whose state (an open
symptom check, a reminder prompt) carries over from example to example, which is what a person
tapping around does too. Hypothesis warns about function-scoped fixtures shared by examples; that
sharing is the point here, so the health check is suppressed. `st.data()` draws inside the example,
so mutated data can start from the buttons the bot has actually sent so far.

"Answered" is exact, not a timeout guess: the test wraps the bot's update processor and waits until
the update it queued was fully handled (handlers and error handler done), then looks at what the
bot did in between. Every private message must have got a send or edit; in a group only a message
addressed to the bot must (other chatter is dropped by design); every callback query must have had
its answer. Errors reaching the error handler (it logs at ERROR) fail the example. A failing
end-to-end example ran on the bot as the earlier examples left it, so its shrunk form may pass
alone: read the data in the failure message and press it in tests/test_e2e_forged_taps.py.
"""

from __future__ import annotations

import asyncio
import logging
import string
from datetime import date, datetime, time, timezone
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core import triage as triage_core
from bot.core.answers import AnswerEngine
from bot.core.content import load_content
from bot.core.reminder_content import load_reminder_content
from bot.core.telegram_html import MAX_MESSAGE_LENGTH, check_message_text
from bot.core.timeparse import read_time, read_zone
from bot.core.triage_model import load_triage
from bot.storage import subscriptions
from bot.storage.deliveries import DeliveryKey
from bot.telegram import callbacks as cb
from bot.telegram import keyboards as kb
from bot.telegram import reminder_handlers, reminder_sender, safety, triage_handlers
from bot.telegram import reminder_ui as ui
from bot.telegram import triage_callbacks as tcb
from bot.telegram.errors import SORRY
from bot.telegram.groups import without_mention
from bot.telegram.update_processor import ChatOrderedProcessor

BOT_NAME = "backspasm_test_bot"
ANN, BEN = 111, 112
GROUP = -555001
NOW = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)


@cache
def engine() -> AnswerEngine:
    return AnswerEngine.from_dir()


@cache
def reminder_content():
    return load_reminder_content()


@cache
def triage():
    return load_triage()


# --- strategies ---------------------------------------------------------------------------------

# Characters that have broken text handling elsewhere: invisible formatting, bidi controls,
# look-alikes, digits int() reads but ASCII patterns must refuse, HTML that must stay text.
SPECIALS = [
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u202d", "\u200f", "\u061c",
    "\u0430", "\u0435", "\u043e", "\u0440", "\u0441", "²", "٤", "４", "ⅷ", "\x00", "\x1b", "\r\n", "\t",
    "😀", "👍🏽", "🇩🇪", "e\u0301", "ﬁ", "ß", "İ", "<b>", "</i>", "&amp;", "&#0;", "<a href='x'>", "\\",
    f"@{BOT_NAME}", f"@{BOT_NAME.upper()}", "@", "/", ":", "?", "!", "...", "-", "'", '"',
]


@cache
def vocabulary() -> list[str]:
    """Words the engine knows (topics, red flags, times, places) and the specials above."""
    eng = engine()
    words: set[str] = set(eng.redflags.words())
    for topic in eng.content.topics.values():
        words.update(topic.keywords)
        for question in topic.questions:
            words.update(question.split())
    rc = reminder_content()
    words.update(rc.day_parts)
    words.update(list(rc.places)[:50])
    words.update(["9", "9am", "21:30", "noon", "half", "past", "UTC+2", "yes", "no", "not", "sure", "and", "or"])
    return sorted(words) + SPECIALS


def sentences(max_words: int = 30) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(vocabulary()), min_size=1, max_size=max_words).map(" ".join)


# Any unicode text (Hypothesis leaves out lone surrogates, which no UTF-8 message can carry).
any_text = st.one_of(
    st.text(max_size=300),
    st.text(min_size=3000, max_size=5000),
    sentences(),
    st.lists(st.one_of(sentences(8), st.text(max_size=20)), max_size=200).map(" ".join),
)

COMMANDS = ["/start", "/menu", "/help", "/about", "/triage", "/reminders", "/forget", "/cancel", "/causes",
            "/remedies", "/symptoms", "/doctor", "/prevention", "/start triage", "/start reminders",
            "/start forget", "/start x", "/nonsense", f"/help@{BOT_NAME}", "/help@other_bot", "/"]
TYPED_ANSWERS = ["yes", "no", "not sure", "y", "n", "9am", "07:45", "half past 8", "Berlin", "UTC+2", "Sydney",
                 "in the evening", "25:99", "+14:00", "Narnia"]


def _telegram_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """What Telegram delivers: trimmed, non-empty (a client cannot send blanks), at most 4096."""
    return text[:limit].strip() or "?"


def typed_text(max_words: int = 30) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(min_size=1, max_size=200),
        sentences(max_words),
        st.sampled_from(COMMANDS),
        st.sampled_from(TYPED_ANSWERS),
        st.tuples(st.sampled_from(COMMANDS), st.text(max_size=40)).map(" ".join),
        st.text(min_size=3500, max_size=4500),
    ).map(_telegram_text)


def _fits(data: str) -> str:
    """Telegram carries at most 64 bytes of callback data; longer forged data is cut there."""
    raw = data.encode()[: cb.MAX_BYTES]
    return raw.decode(errors="ignore") or "x"


# Draws never depend on the bot's state (which buttons exist yet, how long a piece of data is):
# Hypothesis replays and mutates earlier examples' choices and refuses a strategy whose shape
# changes between runs. So a mutation is drawn as a plan of plain numbers and characters, and
# applied to whatever corpus there is by index, modulo its length.
_CHAR = st.one_of(st.sampled_from(string.ascii_letters + string.digits + ":!@-+/_., "),
                  st.sampled_from(SPECIALS), st.characters(codec="utf-8"))
_EDGE = st.sampled_from(["", "0", "-1", "²", "９", str(2**63 - 1), str(2**63), "9" * 20, "00000000", "99991231",
                         "!", "@zz", "@0", "E/Narnia", "+0000"])
_OPS = ["flip", "insert", "delete", "field", "edge", "edge", "digits", "digits", "truncate"]
_EDIT = st.tuples(st.sampled_from(_OPS), st.integers(0, 80), _CHAR, st.integers(0, 10**6), _EDGE)
# Each format the bot's buttons use (bot.telegram.callbacks and the feature modules' docstrings),
# drawn evenly: the menu's many buttons must not crowd out the few reminder and safety ones.
FORMATS = ["menu", "triage", "safety", "reminders", "said-back", "delivery", "forget"]
PLAN = st.tuples(st.sampled_from(FORMATS), st.integers(0, 10**6), st.lists(_EDIT, min_size=1, max_size=4))
_ODD_DIGITS = ["²", "٤", "４"]


def format_of(data: str) -> str:
    fields = cb.decode(data) or [""]
    head, sub = fields[0], (fields[1] if len(fields) > 1 else "")
    if head == cb.REMINDERS:
        if sub in (ui.DONE, ui.SNOOZE, ui.STOP):
            return "delivery"
        if sub in (ui.YES_TIME, ui.YES_ZONE, ui.CHANGE_TIME, ui.CHANGE_ZONE, ui.PICK_ZONE):
            return "said-back"
        return "forget" if sub == ui.FORGET else "reminders"
    return {cb.TRIAGE: "triage", safety.PREFIX: "safety"}.get(head, "menu")


def choose(corpus: list[str], form: str, pick: int) -> str:
    """The pick-th piece of data of that format (of any, if the corpus has none of it)."""
    of_form = [d for d in corpus if format_of(d) == form] or corpus
    return of_form[pick % len(of_form)]


def mutate(corpus: list[str], plan) -> str:
    """A real button's data with characters flipped, inserted or deleted, or fields swapped."""
    form, pick, edits = plan
    data = choose(corpus, form, pick)
    for op, at, char, other, edge in edits:
        pos = at % (len(data) + 1)
        fields = data.split(":")
        which = at % len(fields)
        if op == "flip" and data:
            pos = min(pos, len(data) - 1)
            data = data[:pos] + char + data[pos + 1:]
        elif op == "insert":
            data = data[:pos] + char + data[pos:]
        elif op == "delete":
            data = data[:pos] + data[pos + 1:]
        elif op == "field":  # a field of another button in this one's place
            donor = corpus[other % len(corpus)].split(":")
            fields[which] = donor[other % len(donor)]
            data = ":".join(fields)
        elif op == "edge":  # a number at the edges of a range, or a mark, in a field's place
            fields[which] = edge
            data = ":".join(fields)
        elif op == "digits":
            data = "".join(_ODD_DIGITS[(i + at) % 3] if c.isdigit() and (i + other) % 3 else c for i, c in enumerate(data))
        elif op == "truncate":
            data = data[:pos]
    return data


def forged(corpus: list[str]) -> st.SearchStrategy[str]:
    """Mutated, real or random data; the corpus may be a list that grows between examples."""
    choice = st.tuples(st.sampled_from(["mutated", "mutated", "real", "random"]), PLAN, st.text(min_size=1, max_size=64))

    def pick(drawn) -> str:
        how, plan, random_data = drawn
        if how == "mutated":
            return _fits(mutate(corpus, plan))
        return choose(corpus, plan[0], plan[1]) if how == "real" else _fits(random_data)

    return choice.map(pick)


def _keyboard_data(markup) -> list[str]:
    return [b.callback_data for row in markup.inline_keyboard for b in row if isinstance(b.callback_data, str)]


@cache
def real_data() -> list[str]:
    """Data of the buttons the bot's own screens carry, each format at least once."""
    content, rc, tri, eng = load_content(), reminder_content(), triage(), engine()
    data: list[str] = _keyboard_data(kb.main_menu(content))
    for category in content.categories:
        data += _keyboard_data(kb.category_menu(content, category.id))
    for topic_id in list(content.topics)[:6]:
        data += _keyboard_data(kb.topic_actions(content, topic_id))
    # The symptom check: every step of one walk through it, answering the first choice each time.
    data += [tcb.start_data(), tcb.cancel_data(), tcb.resume_data()]
    answers = ""
    while (question := triage_core.open_question(tri, answers)) is not None:
        data += [tcb.step_data(tri.version, answers, a) for a in question.choices if a in tcb.ANSWERS]
        data.append(tcb.step_data(tri.version, answers, tcb.BACK))
        answers = triage_core.answer(tri, answers, next(iter(question.choices)))
    data.append(tcb.tips_data(tri.version, answers))
    # Safety questions: Yes / No under a check.
    for text in ("my legs are numb and i can't pee", "chest pain with my back spasm", "I fell off a ladder"):
        reply = eng.answer(text)
        if reply.kind == "check":
            data += _keyboard_data(safety.buttons(content, reply))
    check = next(iter(eng.redflags.check_by_id)).removeprefix(safety.CHECK_PREFIX)
    data += [f"sq:{check}:y", f"sq:{check}:n:a:{next(iter(content.topics))}", f"sq:{check}:n:n:"]
    # Reminders: every screen.
    home = kb.home_row(content)
    data += _keyboard_data(ui.overview(rc, "Europe/Berlin", [], home)[1])
    data += _keyboard_data(ui.water_screen(rc, None)[1])
    for kind, field in (("stretching", "at"), ("hydration", "start"), ("hydration", "end")):
        data += _keyboard_data(ui.time_prompt(rc, kind, field, switch_on=True)[1])
        confirm = ui.confirm_time(rc, kind, field, time(7, 45), "Berlin", (8, time(8), time(20)), True,
                                  zone="Australia/Sydney", zone_changeable=True)
        data += _keyboard_data(confirm[1])
    data += _keyboard_data(ui.confirm_zone(rc, "UTC+05:30", "+05:30")[1])
    data += _keyboard_data(ui.zone_prompt(rc, first=True)[1])
    data += _keyboard_data(ui.forget_keyboard(rc))
    data += _keyboard_data(ui.reminder_keyboard(rc, DeliveryKey(7, date(2026, 6, 1), 101)))
    data.append(cb.encode(cb.REMINDERS, ui.RESUME))
    data += [cb.mark(d, advice=True) for d in data[:10]] + [cb.mark(d, owner=ANN) for d in data[-10:]]
    return sorted(set(data))


# --- the pure core ------------------------------------------------------------------------------

PURE = settings(max_examples=300, deadline=None)


@PURE
@given(text=any_text)
def test_the_engine_answers_any_text_with_a_message_telegram_accepts(text):
    reply = engine().answer(text)
    for part in (reply, reply.then) if reply.then is not None else (reply,):
        assert len(part.text) <= MAX_MESSAGE_LENGTH
        assert check_message_text(part.text) is None, (part.kind, part.text)
    # A group message reaches the engine without the bot's @name.
    engine().answer(without_mention(f"@{BOT_NAME} {text}", BOT_NAME))


@PURE
@given(text=any_text)
def test_typed_answer_readers_take_any_text(text):
    rc, tri = reminder_content(), triage()
    read_time(text, rc.day_parts)
    read_zone(text, rc.places, NOW, rc.day_parts)
    assert triage_core.parse_typed_answer(text) in (None, *tcb.ANSWERS)
    triage_core.is_opening(tri, text)
    assert triage_core.valid_answers(tri, triage_core.preanswer(tri, text))


def _parse_everything(data: str) -> None:
    """Every parser a button's data meets on its way through the handlers."""
    fields = cb.decode(data)
    assert all(isinstance(f, str) for f in fields)
    cb.is_advice(data)
    owner = cb.owner_of(data)
    assert owner is None or 0 < owner <= cb.MAX_ID
    marked = cb.mark(data, advice=True, owner=ANN)
    assert marked == data or len(marked.encode()) <= cb.MAX_BYTES
    reminder_handlers.is_other_button(data)
    triage_handlers.is_other_button(data)

    tap = tcb.parse(data)
    if tap is not None and tap.kind == "step":  # what triage_handlers.on_button does with it
        tri = triage()
        question = triage_core.open_question(tri, tap.answers)
        if question is not None and (tap.action == tcb.BACK or tap.action in question.choices):
            answers = (triage_core.back(tap.answers) if tap.action == tcb.BACK
                       else triage_core.answer(tri, tap.answers, tap.action))
            triage_core.next_step(tri, answers)
        if triage_core.is_finished(tri, tap.answers):
            triage_core.decide(tri, tap.answers)

    found = safety.parse(data)
    if found is not None:
        check, yes, kind, topics = found
        assert check.startswith(safety.CHECK_PREFIX) and isinstance(yes, bool)

    args = fields[2:] if fields[:1] == [cb.REMINDERS] else fields
    key = ui.parse_delivery(args)
    assert key is None or 0 < key.subscription_id <= cb.MAX_ID
    for field in fields:
        value = ui.parse_compact(field)
        assert value is None or (len(field) == 4 and field.isascii())
        ui.parse_zone_code(field)
        number = cb.number(field, 1, 12)
        assert number is None or (1 <= number <= 12 and field.isascii() and field.isdigit())


@PURE
@given(data=st.text(max_size=80))
def test_callback_parsers_take_any_string(data):
    _parse_everything(data)


@settings(max_examples=600, deadline=None)
@given(plan=PLAN)
def test_callback_parsers_take_mutated_real_data(plan):
    _parse_everything(mutate(real_data(), plan))


def test_callback_parsers_read_the_real_data():
    """The corpus is real: each format parses back (else the mutations start from nothing)."""
    corpus = real_data()
    assert any(tcb.parse(d) and tcb.parse(d).kind == "step" for d in corpus)
    assert any(safety.parse(d) for d in corpus)
    assert any(ui.parse_delivery(cb.decode(d)[2:]) for d in corpus)
    assert any(cb.owner_of(d) == ANN for d in corpus) and any(cb.is_advice(d) for d in corpus)
    assert {format_of(d) for d in corpus} == set(FORMATS)
    for data in corpus:
        _parse_everything(data)


@PURE
@given(text=st.text(max_size=30), low=st.integers(-10, 2**64), span=st.integers(0, 2**64))
def test_number_never_raises_and_stays_in_bounds(text, low, span):
    value = cb.number(text, low, low + span)
    assert value is None or (low <= value <= low + span and text.isascii() and text.isdigit())


# --- end to end ---------------------------------------------------------------------------------

E2E = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def errors_logged(caplog):
    caplog.set_level(logging.INFO)
    return lambda: [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
def handled(bot, fake, monkeypatch):
    """Waits until every update queued so far was fully handled (see the module docstring)."""
    queued: list[int] = []
    done: set[int] = set()
    original_put = fake.updates.put
    original_process = ChatOrderedProcessor.do_process_update

    def put(kind, payload):
        update_id = original_put(kind, payload)
        queued.append(update_id)
        return update_id

    async def do_process_update(self, update, coroutine):
        try:
            await original_process(self, update, coroutine)
        finally:
            done.add(update.update_id)

    monkeypatch.setattr(fake.updates, "put", put)
    monkeypatch.setattr(ChatOrderedProcessor, "do_process_update", do_process_update)

    async def wait(timeout: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done.issuperset(queued):
            assert loop.time() < deadline, f"updates {sorted(set(queued) - done)} not handled in {timeout}s"
            await asyncio.sleep(0.002)

    return wait


@pytest.fixture
async def reminder(bot, fake):
    """A sent stretching reminder, so Done / Snooze / Stop data with a real subscription exists."""
    fake.user(ANN, "Ann")
    db, setup = bot.services.db, datetime(2026, 6, 1, 5, 0, tzinfo=timezone.utc)
    await subscriptions.set_zone(db, ANN, "UTC", setup)
    await subscriptions.update_settings(db, ANN, "stretching", setup, at=time(9, 0))
    await subscriptions.activate(db, ANN, "stretching", setup)
    bot.clock.now = datetime(2026, 6, 1, 9, 0, 5, tzinfo=timezone.utc)
    assert (await reminder_sender.tick(bot.app, bot.clock.now)).sent == 1


def _buttons(messages) -> list[str]:
    return [b["callback_data"] for m in messages for row in m.inline_keyboard for b in row if "callback_data" in b]


async def _check_no_errors(fake, errors_logged, before: int, what) -> None:
    new = errors_logged()[before:]
    assert new == [], (what, [r.getMessage() for r in new])
    assert fake.violations == [], (what, fake.violations)
    assert fake.unanswered_callback_queries() == [], what


def _pick(data, items: list, label: str):
    """One of a list that grows between examples, drawn as a plain number (see PLAN)."""
    return items[data.draw(st.integers(0, 10**6), label=label) % len(items)]


async def _tap(person, fake, handled, data) -> str:
    """Press real, mutated or random data under one of the bot's messages in this chat."""
    # Any message the bot sent, keyboard or not (old buttons get tapped after an edit took them
    # away), except one that carries a keyboard under the input field: it never had inline
    # buttons, so Telegram can deliver no tap under it (and refuses to edit it).
    tappable = [m for m in person.messages if not m.reply_markup or "inline_keyboard" in m.reply_markup]
    message = _pick(data, tappable, "under message")
    corpus = sorted(set(_buttons(person.messages)) | set(real_data()))
    tapped = data.draw(forged(corpus), label="data")
    query = await person.press(message, tapped)
    await handled()
    assert query in fake.callback_answers, ("tap not answered", tapped)
    return tapped


@E2E
@given(data=st.data())
async def test_fuzzed_private_chat_every_update_answered(bot, fake, errors_logged, handled, reminder, data):
    """Typing random text and commands, pressing real, mutated and random data, sharing a random
    location, sending media, blocking and unblocking, in a private chat and in any order: each
    message gets a reply, each tap its answer, nothing reaches the error handler and Telegram
    refuses nothing."""
    ann = fake.user(ANN, "Ann")
    if not ann.messages:  # the first example: something to tap under besides the reminder
        await ann.send("/start")
        await handled()
    before = len(errors_logged())
    steps = data.draw(st.lists(st.sampled_from(["type", "type", "tap", "tap", "tap", "location", "media", "block"]),
                               min_size=3, max_size=10), label="steps")
    for step in steps:
        ann.mark_read()
        if step == "type":
            text = data.draw(typed_text(), label="typed")
            await ann.send(text)
            await handled()
            assert ann.unread(), ("no reply to", text)
        elif step == "media":  # a sticker, a photo with a random caption, a voice note
            kind = data.draw(st.sampled_from(["sticker", "photo", "voice"]), label="media")
            caption = data.draw(st.text(max_size=100).map(str.strip), label="caption")
            if kind == "sticker":
                await ann.send_sticker(caption[:2] or "👍")
            elif kind == "photo":
                await ann.send_photo(caption or None)
            else:
                await ann.send_voice(len(caption) + 1)
            await handled()
            assert ann.unread(), ("no reply to a", kind)
        elif step == "block":  # blocked and back: my_chat_member updates, which need no reply
            await ann.block()
            await handled()
            await ann.unblock()
            await handled()
        elif step == "location":
            lat = data.draw(st.floats(-90, 90, allow_nan=False), label="latitude")
            lon = data.draw(st.floats(-180, 180, allow_nan=False), label="longitude")
            await ann.send_location(lat, lon)
            await handled()
            assert ann.unread(), ("no reply to a location", lat, lon)
        else:
            await _tap(ann, fake, handled, data)
        await _check_no_errors(fake, errors_logged, before, step)
    assert not any(SORRY in m.text for m in ann.messages)


@st.composite
def group_text(draw) -> tuple[str, bool | None]:
    """(text, whether it is addressed to the bot: must be answered, must not be, or either)."""
    kind = draw(st.sampled_from(["chatter", "mention", "mention", "command"]))
    if kind == "chatter":  # nothing that could be a command or a mention
        text = draw(st.one_of(st.text(min_size=1, max_size=200), sentences())).replace("@", "").lstrip("/")
        return _telegram_text(text.replace("/", " ")), False
    if kind == "command":
        command = draw(st.sampled_from([c for c in COMMANDS if "@other" not in c and c != "/"]))
        return _telegram_text(f"{command} {draw(st.text(max_size=40))}"), True
    body = draw(typed_text(20))
    where = draw(st.sampled_from(["front", "end"]))
    mention = f"@{BOT_NAME}"
    if where == "front":
        return _telegram_text(f"{mention} {body}"), True
    # "/help@other_bot … @this_bot" is a command for the other bot: either way is fair.
    return _telegram_text(f"{body} {mention}"), None if body.startswith("/") else True


@pytest.fixture
def club(bot, fake):
    fake.user(ANN, "Ann")
    fake.user(BEN, "Ben")
    fake.group(GROUP, "Back club", [ANN, BEN])
    fake.me["can_read_all_group_messages"] = True  # every group message reaches the bot's own gate
    # Telegram's 20 messages a minute per group, which PTB's limiter keeps to, would make a hundred
    # replies take minutes; the fuzz is about the handlers (the limit has tests of its own).
    bot.app.bot.rate_limiter._group_max_rate = 100_000
    return fake.member(GROUP, ANN), fake.member(GROUP, BEN)


@E2E
@given(data=st.data())
async def test_fuzzed_group_chat_every_update_answered(bot, fake, errors_logged, handled, club, data):
    """Two members typing chatter, mentions and commands and pressing real, mutated and random data
    (their own buttons and each other's) in a group: what is addressed to the bot gets a reply,
    chatter gets none, every tap its answer, and nothing reaches the error handler."""
    ann, ben = club
    if not ann.messages:
        await ann.send("/start")
        await handled()
    before = len(errors_logged())
    steps = data.draw(st.lists(st.sampled_from(["type", "type", "reply", "tap", "tap"]), min_size=3, max_size=10),
                      label="steps")
    for step in steps:
        person = data.draw(st.sampled_from([ann, ben]), label="who")
        person.mark_read()
        if step in ("type", "reply"):
            text, addressed = data.draw(group_text(), label="typed")
            target = _pick(data, person.messages, "reply to") if step == "reply" else None
            await person.send(text, reply_to=target)
            await handled()
            got = person.unread()
            if addressed or (target is not None and addressed is not None):  # a reply to the bot is addressed
                assert got, ("no reply to", text)
            elif addressed is False:
                assert not got, ("a reply to chatter", text, got)
        else:
            await _tap(person, fake, handled, data)
        await _check_no_errors(fake, errors_logged, before, step)
    assert not any(SORRY in m.text for m in ann.messages)
