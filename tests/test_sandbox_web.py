"""The sandbox chat's server side: the real bot, the fake Telegram and the page's API in one process.

Driven over real HTTP with the page's own requests; the event stream is read as the page reads it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timezone

import aiohttp
import pytest
from telegram.error import BadRequest

from bot.sandbox.run import ADMIN, GROUP, Sandbox
from bot.telegram.services import KEY

ANN, BEN = 111, 112
START = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)  # 10:00 in Berlin: today's 09:00 has passed


class Events:
    """The page's view of /api/events: JSON events in order."""

    def __init__(self, response: aiohttp.ClientResponse):
        self._response = response

    async def next(self, want=lambda event: True, timeout: float = 10.0) -> dict:
        async with asyncio.timeout(timeout):
            while True:
                line = (await self._response.content.readline()).decode()
                if not line:
                    raise EOFError("the event stream ended")
                if line.startswith("data: "):
                    event = json.loads(line[6:])
                    if want(event):
                        return event


@pytest.fixture
async def sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no developer .env; the sandbox ignores it anyway
    box = await Sandbox(tmp_path / "data" / "sandbox.sqlite3", port=0, start=START).start()
    try:
        yield box
    finally:
        await box.stop()


@pytest.fixture
async def http(sandbox):
    async with aiohttp.ClientSession(base_url=sandbox.url) as session:
        yield session


@pytest.fixture
async def events(http):
    async with http.get("/api/events") as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        yield Events(response)


async def post(http, path, **body):
    async with http.post(path, json=body) as response:
        data = await response.json()
        assert response.status == 200, data
        return data


def message_from_bot(chat_id):
    return lambda e: e["type"] == "message" and e["message"]["from_bot"] and e["message"]["chat_id"] == chat_id


def button(message, label):
    for row in message["buttons"]:
        for b in row:
            if b["text"] == label:
                return b["data"]
    raise LookupError(f"{label!r} not in {message['buttons']}")


async def test_page_and_files_are_served_with_a_strict_policy(http):
    async with http.get("/") as page:
        assert page.status == 200
        html = await page.text()
        assert "/static/chat.js" in html and "http" not in html.split("<body>")[1]  # nothing from elsewhere
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    async with http.get("/static/chat.js") as script:
        assert script.status == 200 and "EventSource" in await script.text()


async def test_state_lists_users_a_group_and_the_bots_commands(http, sandbox):
    async with http.get("/api/state") as response:
        state = await response.json()
    chats = {c["id"]: c for c in state["chats"]}
    assert {ANN, BEN, GROUP[0]} <= set(chats)
    assert chats[GROUP[0]]["type"] == "group" and len(chats[GROUP[0]]["members"]) == 3
    names = [c["command"] for c in state["commands"][str(ANN)]]
    assert "start" in names and "reminders" in names  # from the bot's own set_my_commands
    assert state["violations"] == []
    assert sandbox.app.bot_data[KEY].admin_ids == frozenset({ADMIN})


async def test_send_tap_and_edit_in_place_reach_the_page_live(http, events, sandbox):
    first = await events.next()
    assert first["type"] == "state"
    await post(http, "/api/send", chat_id=ANN, user_id=ANN, text="<b>/start</b>")
    mine = await events.next(lambda e: e["type"] == "message")
    assert mine["message"]["html"].startswith("&lt;b&gt;")  # the person's words, escaped
    menu = (await events.next(message_from_bot(ANN)))["message"]
    assert menu["buttons"]
    content = sandbox.app.bot_data[KEY].content
    category = content.categories[0]
    await post(http, "/api/tap", chat_id=ANN, user_id=ANN, message_id=menu["id"], data=button(menu, category.title))
    # The bot answers the button (the page's pop-up, if any) and edits the menu, in either order.
    both = [await events.next(lambda e: e["type"] in ("answer", "message")) for _ in range(2)]
    answered = next(e for e in both if e["type"] == "answer")
    assert answered["chat_id"] == ANN and answered["user_id"] == ANN
    edited = next(e for e in both if e["type"] == "message")["message"]
    assert edited["id"] == menu["id"] and edited["edited"] is True
    assert category.title in edited["html"]


async def test_each_user_has_their_own_chat(http, events):
    await post(http, "/api/send", chat_id=BEN, user_id=BEN, text="/start")
    reply = await events.next(message_from_bot(BEN))
    assert reply["message"]["chat_id"] == BEN
    async with http.get("/api/state") as response:
        state = await response.json()
    assert {m["chat_id"] for m in state["messages"]} == {BEN}
    problem = await http.post("/api/send", json={"chat_id": BEN, "user_id": ANN, "text": "hi"})
    assert problem.status == 400  # Ann cannot speak in Ben's private chat


async def test_group_chat_delivers_commands_and_marks_what_the_bot_never_saw(http, events):
    group = GROUP[0]
    chatter = await post(http, "/api/send", chat_id=group, user_id=BEN, text="my back hurts")
    assert chatter["delivered"] is False
    await post(http, "/api/send", chat_id=group, user_id=ANN, text="/help@backspasm_sandbox_bot")
    reply = await events.next(message_from_bot(group))
    assert reply["message"]["chat_id"] == group


async def test_typing_and_refused_requests_are_shown_and_logged(http, events, sandbox, caplog):
    await sandbox.app.bot.send_chat_action(ANN, "typing")
    action = await events.next(lambda e: e["type"] == "action")
    assert action == {"type": "action", "chat_id": ANN, "action": "typing"}

    caplog.set_level(logging.WARNING, logger="bot.sandbox")
    with pytest.raises(BadRequest):
        await sandbox.app.bot.send_message(ANN, "x" * 5000)
    shown = await events.next(lambda e: e["type"] == "violation")
    assert shown["violation"]["method"] == "sendMessage" and "too long" in shown["violation"]["description"]
    assert any("Telegram would refuse sendMessage" in r.getMessage() for r in caplog.records)
    async with http.get("/api/state") as response:
        assert len((await response.json())["violations"]) == 1


async def turn_on_stretching(http, events, sandbox) -> dict:
    labels = sandbox.app.bot_data[KEY].reminders.texts.buttons
    await post(http, "/api/send", chat_id=ANN, user_id=ANN, text="/reminders")
    screen = (await events.next(message_from_bot(ANN)))["message"]
    await post(http, "/api/tap", chat_id=ANN, user_id=ANN, message_id=screen["id"], data=button(screen, labels.stretching_on))
    when = (await events.next(message_from_bot(ANN)))["message"]  # what time?
    await post(http, "/api/tap", chat_id=ANN, user_id=ANN, message_id=when["id"], data=button(when, "09:00"))
    await events.next(message_from_bot(ANN))  # which time zone?
    await events.next(message_from_bot(ANN))  # or share your location (a button under the input field)
    await post(http, "/api/send", chat_id=ANN, user_id=ANN, text="Berlin")
    said_back = (await events.next(lambda e: message_from_bot(ANN)(e) and e["message"]["buttons"]))["message"]
    await post(http, "/api/tap", chat_id=ANN, user_id=ANN, message_id=said_back["id"], data=button(said_back, labels.yes))
    confirmed = (await events.next(message_from_bot(ANN)))["message"]
    assert any(b["text"] == labels.stretching_off for row in confirmed["buttons"] for b in row)
    return confirmed


def is_reminder(sandbox, event) -> bool:
    done = sandbox.app.bot_data[KEY].reminders.texts.buttons.done
    return message_from_bot(ANN)(event) and any(b["text"] == done for row in event["message"]["buttons"] for b in row)


async def test_advancing_the_clock_brings_a_due_reminder(http, events, sandbox):
    await turn_on_stretching(http, events, sandbox)
    hour = await post(http, "/api/clock", seconds=3600)
    assert hour["sent"] == 0  # 11:00 in Berlin: tomorrow's 09:00 is not due yet
    moved = await post(http, "/api/clock", seconds=22 * 3600)  # just after 09:00 tomorrow
    assert moved["now"] >= START.timestamp() + 23 * 3600 and moved["sent"] == 1
    clock = await events.next(lambda e: e["type"] == "clock")
    assert clock["now"] >= START.timestamp() + 3600
    reminder = await events.next(lambda e: is_reminder(sandbox, e))
    assert reminder["message"]["date"] >= START.timestamp() + 23 * 3600  # stamped with the simulated time


async def test_next_reminder_jumps_to_the_due_time(http, events, sandbox):
    missing = await http.post("/api/clock", json={"to": "next-reminder"})
    assert missing.status == 400 and "/reminders" in (await missing.json())["error"]
    await turn_on_stretching(http, events, sandbox)
    jumped = await post(http, "/api/clock", to="next-reminder")
    due = datetime(2026, 6, 2, 7, 0, tzinfo=timezone.utc).timestamp()  # 09:00 in Berlin tomorrow
    assert due < jumped["now"] < due + 60 and jumped["sent"] == 1
    await events.next(lambda e: is_reminder(sandbox, e))


async def test_new_users_join_the_chats_and_the_group(http, events):
    added = await post(http, "/api/users", first_name="  Dana  ")
    chats = await events.next(lambda e: e["type"] == "chats")
    ids = {c["id"]: c for c in chats["chats"]}
    assert ids[added["user_id"]]["title"] == "Dana"
    assert "Dana" in [m["first_name"] for m in ids[GROUP[0]]["members"]]


BAD_REQUESTS = [
    ("/api/send", {"chat_id": ANN, "user_id": ANN, "text": "   "}),
    ("/api/send", {"chat_id": ANN, "user_id": ANN, "text": "x" * 4097}),
    ("/api/send", {"chat_id": 999, "user_id": 999, "text": "hi"}),
    ("/api/send", {"chat_id": ANN, "user_id": "111", "text": "hi"}),
    ("/api/tap", {"chat_id": ANN, "user_id": ANN, "message_id": 4242, "data": "m"}),
    ("/api/clock", {"seconds": -60}),
    ("/api/clock", {"seconds": "1h"}),
    ("/api/users", {"first_name": ""}),
]


async def test_bad_requests_are_refused_with_a_reason(http):
    for path, body in BAD_REQUESTS:
        async with http.post(path, json=body) as response:
            assert response.status == 400, (path, body)
            assert (await response.json())["error"], (path, body)


async def test_only_json_from_this_machine_is_accepted(http):
    form = await http.post("/api/send", data={"chat_id": "111", "user_id": "111", "text": "hi"})
    assert form.status == 415  # a form on another site cannot drive the sandbox
    rebound = await http.get("/api/state", headers={"Host": "evil.example:8088"})
    assert rebound.status == 403
