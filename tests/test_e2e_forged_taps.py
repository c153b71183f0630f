"""Forged button taps (issue 11, item 5): any callback data a client can send gets an answer, and
no exception reaches the error handler.

A tap carries whatever data the client puts in it, up to 64 bytes; Telegram does not check it
against the keyboard. Each case presses forged data under a real bot message through the fake
Bot API server and the real Application.
"""

import logging
from datetime import date, datetime, time, timezone

import pytest

from bot.storage import subscriptions
from bot.storage.deliveries import DeliveryKey
from bot.telegram import reminder_sender
from bot.telegram.callbacks import number
from bot.telegram.reminder_ui import parse_compact, parse_delivery

ANN = 111
HUGE = "9" * 20  # beyond SQLite's and any id's range
OVER = str(2**63)  # one past the largest SQLite integer
MAX = str(2**63 - 1)

COMMON = ["²", "", ":", "::", "x" * 64, "é" * 32, "\u200b", "zz", "unknown:1", "m:extra", "-1", "0" * 64]
MENU = ["c:", "t:", "c:²", "t:" + HUGE, "c:nonexistent", "t:nonexistent", "a:x", "ab:1", "m::"]
REMINDERS = [
    "rm:", "rm:zz", "rm:v:1", "rm:on:", "rm:on:q", "rm:off:s:s", "rm:t:s", "rm:t:s:s", "rm:t:h:a", "rm:t:²:a",
    "rm:set:s:a:²³⁴⁵", "rm:set:s:a:０９００", "rm:set:s:a:2500", "rm:set:s:a:0960", "rm:set:s:a:",
    "rm:set:s:a:900", "rm:set:s:a:09000", "rm:set:h:a:0900", "rm:set:s:a:-900", "rm:set:s:a: 900",
    "rm:h:1", "rm:n:", "rm:n:²", "rm:n:٤", "rm:n:４", "rm:n:0", "rm:n:13", "rm:n:-1", "rm:n: 4", "rm:n:" + HUGE,
    "rm:z:1", "rm:fg:", "rm:fg:maybe", "rm:fg:y:y",
    "rm:d:", "rm:d:::", "rm:d:1::0", "rm:x:1:20260601:", "rm:sn:²:20260601:0", "rm:d:1:2026060²:0",
    "rm:d:1:20261301:0", "rm:d:1:00000000:0", "rm:d:1:20260601:²", "rm:d:" + HUGE + ":20260601:0",
    "rm:d:" + OVER + ":20260601:0", "rm:sn:" + MAX + ":20260601:0", "rm:x:1:20260601:" + HUGE,
    "rm:d:-1:20260601:0", "rm:d:1:20260601:0:0",
    # Said-back answers (issue 10, item 3): Yes / Change / a zone of several.
    "rm:ys:", "rm:ys:s:a:0900", "rm:ys:s:a:0900:2", "rm:ys:s:a:2500:0", "rm:ys:h:a:0900:0", "rm:ys:s:a:0900:0:E/Berlin",
    "rm:ys:s:a:0900:1:E/Narnia", "rm:ys:s:a:0900:1:+2500", "rm:ys:s:a:0900:1:+0000", "rm:ys:s:a:0900:1:../../etc",
    "rm:ys:s:a:０９００:1", "rm:ys:s:a:0900:1:E/Berlin:x", "rm:yz:", "rm:yz:Europe/Atlantis", "rm:yz:+0530:x",
    "rm:yz:+1500", "rm:yz:Q/Berlin", "rm:yz:E/", "rm:ct:", "rm:ct:s:a", "rm:ct:s:a:2", "rm:ct:h:a:0",
    "rm:cz:s", "rm:cz:s:a:2500", "rm:cz:s:e:0900", "rm:pz:", "rm:pz:U/Narnia", "rm:pz:U/Sydney:x",
    "rm:set:s:a:0900:2", "rm:set:s:a:0900:1:1",
]
TRIAGE = [
    "tg:", "tg:x:y", "tg:::", "tg:zz:yy:y", "tg:²:²:y", "tg:{v}:²:y", "tg:{v}:" + "y" * 40 + ":y",
    "tg:{v}::b", "tg:{v}::t", "tg:{v}:..:n", "tg:{v}:YYYY:u", "tg:{v}::q", "tg:{v}:nnnnn:t",
]
SAFETY = [
    "sq:", "sq:::", "sq:x:y", "sq:x:y:z", "sq:redflag:n", "sq:redflag:n:z:", "sq:²:n:a:²",
    "sq:{check}:n:a:nonexistent,,", "sq:{check}:n:c:", "sq:{check}:y", "sq:{check}:y:a", "sq:nonexistent:y",
]


@pytest.fixture
def errors_logged(caplog):
    caplog.set_level(logging.INFO)
    return lambda: [r for r in caplog.records if r.levelno >= logging.ERROR]


async def press_all(bot, fake, user, message, forged, errors_logged):
    help_text = bot.services.content.messages.help
    failed = {}
    for data in forged:
        before = len(errors_logged())
        query = await user.press(message, data)
        await fake.wait_answered(query)
        # Updates are handled one at a time: once /help is answered, the tap's handler is done,
        # and the next tap carries the message as that handler left it (as a real client's would).
        await user.send("/help")
        while (await user.reply()).source != help_text:
            pass
        if len(errors_logged()) > before:
            failed[data] = [r.getMessage() for r in errors_logged()[before:]]
    assert failed == {}
    assert fake.violations == [], fake.violations
    assert fake.unanswered_callback_queries() == []


async def menu_message(fake):
    ann = fake.user(ANN, "Ann")
    await ann.send("/start")
    return ann, await ann.reply()


@pytest.mark.parametrize("group", ["common", "menu", "reminders"])
async def test_forged_taps_under_a_menu_are_answered_without_an_error(bot, fake, errors_logged, group):
    ann, menu = await menu_message(fake)
    forged = {"common": COMMON, "menu": MENU, "reminders": REMINDERS}[group]
    await press_all(bot, fake, ann, menu, forged, errors_logged)


async def test_forged_taps_under_a_reminder_are_answered_without_an_error(bot, fake, errors_logged):
    """A real reminder, so a real subscription id: forged keys around it, too."""
    ann = fake.user(ANN, "Ann")
    db, setup = bot.services.db, datetime(2026, 6, 1, 5, 0, tzinfo=timezone.utc)
    await subscriptions.set_zone(db, ANN, "UTC", setup)
    await subscriptions.update_settings(db, ANN, "stretching", setup, at=time(9, 0))
    sub = await subscriptions.activate(db, ANN, "stretching", setup)
    bot.clock.now = datetime(2026, 6, 1, 9, 0, 5, tzinfo=timezone.utc)
    assert (await reminder_sender.tick(bot.app, bot.clock.now)).sent == 1
    reminder = await ann.reply()
    s = sub.id
    forged = [
        f"rm:d:{s}:20260601:{HUGE}", f"rm:sn:{s}:20260601:{OVER}", f"rm:x:{s}:20260601:²", f"rm:d:{s}:2026060١:0",
        f"rm:sn:{s}:20260601:99", f"rm:sn:{s}:20260601:512", f"rm:sn:{s}:20260601:500", f"rm:d:{s}:99991231:0",
        f"rm:d:{s}:20260601:-0", f"rm:d:0{s}:20260601:0", f"rm:d:{s + 1}:20260601:0",
    ]
    await press_all(bot, fake, ann, reminder, forged, errors_logged)
    assert (await subscriptions.get_subscription(db, ANN, "stretching")).active


async def test_forged_triage_and_safety_taps_are_answered_without_an_error(bot, fake, errors_logged):
    ann, menu = await menu_message(fake)
    version = bot.services.triage.version
    check = next(iter(bot.services.engine.redflags.check_by_id)).removeprefix("check-")
    forged = [d.format(v=version) for d in TRIAGE] + [d.format(check=check) for d in SAFETY]
    await press_all(bot, fake, ann, menu, forged, errors_logged)


# --- the parsers themselves -----------------------------------------------------------------------


@pytest.mark.parametrize("text, low, high, expected", [
    ("0", 0, 9, 0), ("12", 1, 12, 12), ("007", 0, 10, 7), (MAX, 0, 2**63 - 1, 2**63 - 1),
    ("13", 1, 12, None), ("0", 1, 12, None), (OVER, 0, 2**63 - 1, None), (HUGE, 0, 10**30, None),
    ("²", 0, 9, None), ("٤", 0, 9, None), ("４", 0, 9, None), ("-1", -5, 5, None), ("+1", 0, 5, None),
    (" 1", 0, 5, None), ("1 ", 0, 5, None), ("1\n", 0, 5, None), ("", 0, 5, None), ("1_0", 0, 99, None),
])
def test_number_takes_only_ascii_digits_within_bounds(text, low, high, expected):
    assert number(text, low, high) == expected


def test_reminder_data_parsers_are_strict():
    assert parse_compact("0930") == time(9, 30) and parse_compact("2359") == time(23, 59)
    assert [parse_compact(t) for t in ("2400", "0960", "²³⁴⁵", "０９００", "930", "09300", "-930", " 930")] == [None] * 8
    assert parse_delivery(["7", "20260601", "101"]) == DeliveryKey(7, date(2026, 6, 1), 101)
    assert parse_delivery([MAX, "20260601", "511"]) == DeliveryKey(2**63 - 1, date(2026, 6, 1), 511)
    for args in (["0", "20260601", "0"], [OVER, "20260601", "0"], ["7", "20260601", "512"], ["7", "20260601", "12"],
                 ["7", "20260601", "²"], ["7", "2026060²", "0"], ["7", "20261301", "0"], ["7", "00000601", "0"],
                 ["7", "2026061", "0"], ["7", "20260601"], ["7", "20260601", HUGE], ["٧", "20260601", "0"]):
        assert parse_delivery(args) is None, args
