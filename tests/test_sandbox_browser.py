"""The sandbox chat in a real browser: Debian's Chromium, driven by Playwright, on a phone-sized page.

It chats as a person would: /start, a category, a topic, a symptom check answered "No" until
an outcome appears (however many questions there are), a reminder switched on and the clock
moved until it arrives, another user, the group. Labels come from the content, so edits to
the wording do not break it. The screenshot goes to the test's folder, and also to the path in
SANDBOX_SCREENSHOT if set (how docs/sandbox.png is made).
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from telegram.error import BadRequest

from bot.core.content import plain_text
from bot.sandbox.run import Sandbox
from bot.telegram.services import KEY

playwright_api = pytest.importorskip("playwright.async_api", reason="Playwright is not installed (pip install -e '.[test]')")
expect = playwright_api.expect

CHROMIUM = next(
    (path for path in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                       "/usr/bin/chromium") if path and Path(path).exists()),
    None,
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium on this machine: apt-get install chromium (.ci/run does this)"
)
# 07:30 in Berlin: a stretching reminder switched on now is due at 09:00 today.
START = datetime(2026, 6, 1, 5, 30, tzinfo=timezone.utc)
BROWSER_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--no-first-run",
    # Chromium's own background traffic has nowhere to go here; keep it from trying.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture
async def sandbox(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    box = await Sandbox(tmp_path / "data" / "sandbox.sqlite3", port=0, start=START).start()
    try:
        yield box
    finally:
        await box.stop()


@pytest.fixture
async def page(sandbox):
    async with playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        context = await browser.new_context(
            viewport={"width": 390, "height": 844}, locale="en-GB", timezone_id="Europe/Berlin"
        )
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(sandbox.url)
        yield page
        await browser.close()
        assert errors == [], errors  # no script error on the page at any point


def bot_messages(page):
    return page.locator("#messages li.msg.bot")


async def until_the_bot_moves(page, action) -> None:
    """Do `action` (a tap), then wait until the bot sent a message or edited its last one."""
    marker = await page.evaluate(
        "() => { const all = document.querySelectorAll('#messages li.msg.bot');"
        " return [all.length, all.length ? all[all.length - 1].dataset.edits : '']; }"
    )
    await action()
    await page.wait_for_function(
        "([count, edits]) => { const all = document.querySelectorAll('#messages li.msg.bot');"
        " return all.length !== count || all[all.length - 1].dataset.edits !== edits; }",
        arg=marker,
    )


async def test_a_person_uses_the_bot_in_the_browser(page, sandbox, tmp_path):
    svc = sandbox.app.bot_data[KEY]
    content, triage, reminders = svc.content, svc.triage, svc.reminders.texts
    await expect(page.get_by_role("heading", name="Ann")).to_be_visible()

    # Keyboard only: type /start into the message box and press Enter.
    box = page.get_by_role("textbox", name="Message")
    await box.focus()
    await page.keyboard.type("/start")
    await page.keyboard.press("Enter")
    await expect(bot_messages(page)).to_have_count(1)

    # A category, then a topic: the same message edited in place, reached with Tab and Enter.
    category = content.categories[0]
    first = page.get_by_role("button", name=category.title, exact=True)
    await first.focus()
    await until_the_bot_moves(page, lambda: page.keyboard.press("Enter"))
    topic = content.topics_in(category.id)[0]
    await until_the_bot_moves(page, page.get_by_role("button", name=topic.title, exact=True).click)
    await expect(bot_messages(page)).to_have_count(1)
    menu = bot_messages(page).last
    await expect(menu.locator(".edited")).to_be_visible()
    await expect(menu).to_contain_text(plain_text(topic.body).split("\n")[0][:40])

    # A symptom check: "No" until an outcome appears, however many questions there are.
    await until_the_bot_moves(page, page.get_by_role("button", name=content.messages.buttons.main_menu).last.click)
    await until_the_bot_moves(page, page.get_by_role("button", name=content.messages.buttons.triage).last.click)
    for _ in range(30):
        no = bot_messages(page).last.get_by_role("button", name=triage.labels.no, exact=True)
        if await no.count() == 0:
            break
        await until_the_bot_moves(page, no.click)
    headlines = [plain_text(o["headline"]).split("\n")[0] for o in triage.outcomes.model_dump().values()]
    outcome = page.locator("#messages li.msg.bot").filter(has_text=re.compile("|".join(map(re.escape, headlines))))
    await expect(outcome.first).to_be_visible()

    # A reminder from the command menu (the bot's set_my_commands), then the clock moves it along.
    await page.get_by_role("button", name="Menu", exact=True).click()
    await until_the_bot_moves(page, page.locator("#command-list button").filter(has_text="/reminders").click)
    await until_the_bot_moves(page, page.get_by_role("button", name=reminders.buttons.stretching_on).last.click)
    await until_the_bot_moves(page, page.get_by_role("button", name="09:00", exact=True).last.click)
    await box.fill("Berlin")
    await until_the_bot_moves(page, lambda: box.press("Enter"))
    await until_the_bot_moves(page, page.get_by_role("button", name=reminders.buttons.yes).last.click)
    await expect(bot_messages(page).last.get_by_role("button", name=reminders.buttons.stretching_off)).to_be_visible()
    clock = page.locator("#sim-time")
    before = await clock.text_content()
    hour, toast = page.get_by_role("button", name="+1 h"), page.get_by_role("status")
    for _ in range(30):
        await hour.click()
        await expect(hour).to_be_enabled()  # the page's request is done: the tick has run
        if not re.search(r"\bno reminders sent", await toast.text_content() or ""):
            break
    await expect(toast).to_contain_text("1 reminder sent")
    done = page.get_by_role("button", name=reminders.buttons.done)
    await expect(done).to_be_visible()
    assert await clock.text_content() != before  # the page shows the simulated time

    shot = tmp_path / "sandbox.png"
    await page.screenshot(path=shot)
    if os.environ.get("SANDBOX_SCREENSHOT"):
        shutil.copy(shot, os.environ["SANDBOX_SCREENSHOT"])

    # Done answers the button with a pop-up line (the streak).
    await done.click()
    await expect(page.get_by_role("status")).to_contain_text(re.compile(r"\w"))

    # Another user has a chat of their own, and the group gets commands.
    await page.get_by_role("button", name="☰ Chats").click()
    await page.get_by_role("button", name="Ben").click()
    await expect(page.get_by_role("heading", name="Ben")).to_be_visible()
    await expect(bot_messages(page)).to_have_count(0)
    await page.get_by_role("button", name="☰ Chats").click()
    await page.get_by_role("button", name="Back club").click()
    await box.fill("/help")
    await box.press("Enter")
    await expect(bot_messages(page)).to_have_count(1)
    assert sandbox.fake.violations == [] and sandbox.fake.unanswered_callback_queries() == []

    # A request Telegram would refuse is shown in the page.
    with pytest.raises(BadRequest):
        await sandbox.app.bot.send_message(-555001, "<b>never closed")
    await expect(page.get_by_role("alert")).to_contain_text("Telegram would refuse sendMessage")
    sandbox.fake.violations.clear()
