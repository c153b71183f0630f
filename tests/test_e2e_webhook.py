"""Webhook mode end to end: the real Application behind our aiohttp webhook server, registered with
the fake Bot API server, which posts updates to it the way Telegram does (JSON body, secret header).
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import socket
import time

import aiohttp
import pytest

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import SettingsError, load_settings
from bot.core.flood import FloodGate
from bot.sandbox.models import WebhookSetting
from bot.telegram import webhook
from bot.telegram.webhook import SECRET_HEADER, WebhookServer
from tests.conftest import ENGINE_CACHE, FakeClock, RunningBot

SECRET = "s3cret_-Token"
URL = "https://bot.example.com/telegram/hook"
_ids = itertools.count(1)


def start_update(user_id: int = 111, text: str = "/start") -> dict:
    """A private-chat message update as Telegram posts it."""
    person = {"id": user_id, "is_bot": False, "first_name": "Ann", "language_code": "en"}
    message = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Ann"},
        "from": person,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_ids), "message": message}


class WebhookBot:
    """The bot run by bot.telegram.webhook.run (as `python -m bot` runs it), on a free port."""

    def __init__(self, fake, tmp_path) -> None:
        self.fake = fake
        self.tmp_path = tmp_path
        self.server: WebhookServer | None = None
        self.app = None
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    def settings(self, **overrides):
        return load_settings(
            telegram_bot_token=self.fake.token,
            telegram_api_base_url=self.fake.base_url,
            database_path=self.tmp_path / "data" / "bot.sqlite3",
            engine_cache_dir=ENGINE_CACHE,
            bot_mode="webhook",
            webhook_url=URL,
            webhook_secret=SECRET,
            **overrides,
        )

    async def start(self, **overrides) -> WebhookServer:
        settings = self.settings(**overrides)
        self.app = build_application(settings, clock=FakeClock(), dispatch_interval=None,
                                     flood_gate=FloodGate(burst=100_000))
        serving = asyncio.get_running_loop().create_future()
        self._task = asyncio.create_task(webhook.run(
            self.app, settings, ALLOWED_UPDATES, stop=self._stop, on_serving=serving.set_result,
            handle_signals=False, port=0))
        done, _ = await asyncio.wait({serving, self._task}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            self._task.result()  # raises what start-up raised
        assert serving in done, "the webhook did not start"
        self.server = serving.result()
        return self.server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    async def stop(self) -> None:
        if self._task is not None:
            self._stop.set()
            await asyncio.wait_for(self._task, 30)
            self._task = None


@pytest.fixture
async def hooked(fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no developer .env leaks into the settings
    running = WebhookBot(fake, tmp_path)
    try:
        yield running
    finally:
        await running.stop()


async def eventually(predicate, timeout: float = 10.0, what: str = "the condition") -> None:
    """For conditions the fake cannot see (the bot's own state): checked every 20 ms."""
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_registers_the_url_and_secret_and_answers_what_telegram_posts(hooked, fake, no_violations):
    await hooked.start()
    assert fake.webhook is not None
    assert (fake.webhook.url, fake.webhook.secret_token) == (URL, SECRET)
    assert fake.allowed_updates == ALLOWED_UPDATES
    [call] = fake.calls_to("setWebhook")
    assert str(call.params.get("drop_pending_updates")).lower() == "false"
    assert hooked.server.path == "/telegram/hook"
    assert fake.calls_to("getUpdates") == [] and fake.calls_to("deleteWebhook") == []

    fake.deliver_webhook(hooked.base)  # Telegram -> reverse proxy -> WEBHOOK_LISTEN:WEBHOOK_PORT
    ann = fake.user(111, "Ann")
    await ann.send("/start")
    first = await ann.reply(timeout=10)
    assert first.text
    await ann.send("/help")
    assert (await ann.reply(timeout=10)).text
    assert fake.webhook.delivered == 2 and fake.webhook.last_error_date is None

    assert await get(hooked.base + "/healthz") == (200, "ok")
    info = await hooked.app.bot.get_webhook_info()
    assert info.url == URL and info.pending_update_count == 0


async def test_a_wrong_or_missing_secret_is_403_and_nothing_is_handled(hooked, fake, no_violations):
    await hooked.start()
    fake.user(111, "Ann")
    for secret in ("wrong", "", None, SECRET[:-1], SECRET + "x"):
        status, _ = await fake.post_update(hooked.url, start_update(), secret=secret)
        assert status == 403, secret
    assert hooked.server.refused == 5
    await asyncio.sleep(0.3)
    assert fake.sent_count(111) == 0
    assert hooked.app.update_queue.pending == 0

    status, _ = await fake.post_update(hooked.url, start_update())  # the right one
    assert status == 200
    await fake.wait_until(lambda: fake.sent_count(111) > 0, timeout=10, what="a reply")


async def test_a_body_that_is_no_update_is_400(hooked, fake, no_violations):
    await hooked.start()
    for body in (b"{not json", b"[]", b'"text"', b'{"message": {}}', b'{"update_id": "7"}', b"\xff\xfe"):
        status, _ = await fake.post_update(hooked.url, body)
        assert status == 400, body
    assert hooked.app.update_queue.pending == 0
    assert await get(hooked.base + "/healthz") == (200, "ok")  # still serving


async def test_too_many_updates_in_hand_is_429_so_telegram_retries(hooked, fake, no_violations):
    await hooked.start(webhook_max_pending=2)
    for user_id in (111, 112, 113):
        fake.user(user_id, "Ann")
    for slow in (111, 112):  # their replies take 1.5 s, so their updates stay in hand that long
        fake.inject_delay("sendMessage", 1.5, chat_id=slow, deliver=True)
    assert (await fake.post_update(hooked.url, start_update(111)))[0] == 200
    assert (await fake.post_update(hooked.url, start_update(112)))[0] == 200
    status, _ = await fake.post_update(hooked.url, start_update(113))
    assert status == 429
    assert hooked.app.update_queue.pending == 2
    await fake.wait_until(lambda: fake.sent_count(111) and fake.sent_count(112), timeout=10, what="both replies")
    await eventually(lambda: hooked.app.update_queue.pending == 0)
    assert (await fake.post_update(hooked.url, start_update(113)))[0] == 200  # Telegram's retry
    await fake.wait_until(lambda: fake.sent_count(113) > 0, timeout=10, what="the retried update's reply")
    assert fake.sent_count(113) == 1


async def test_delivery_retries_until_the_bot_takes_the_update(hooked, fake, no_violations):
    await hooked.start(webhook_max_pending=1)
    fake.inject_delay("sendMessage", 1.0, times=1, deliver=True)
    fake.deliver_webhook(hooked.base, retry_delay=0.1)
    ann, bob = fake.user(111, "Ann"), fake.user(112, "Bob")
    await ann.send("/start")
    await bob.send("/start")  # refused with 429 while Ann's is in hand, then retried
    assert (await ann.reply(timeout=10)).text
    assert (await bob.reply(timeout=10)).text
    assert "429" in (fake.webhook.last_error_message or "")


async def test_stopping_keeps_the_webhook_and_health_says_so(fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    running = WebhookBot(fake, tmp_path)
    await running.start()
    base = running.base
    await running.stop()
    assert fake.webhook is not None and fake.webhook.url == URL  # Telegram keeps updates for the next start
    assert fake.calls_to("deleteWebhook") == []
    with pytest.raises(aiohttp.ClientError):
        await get(base + "/healthz")

    # Not running (starting or stopping): 503, which Telegram retries.
    app = build_application(running.settings(), dispatch_interval=None)
    server = await WebhookServer(app, path="/hook", secret=SECRET, port=0).start()
    try:
        assert (await get(f"http://127.0.0.1:{server.port}/healthz"))[0] == 503
        status, _ = await fake.post_update(f"http://127.0.0.1:{server.port}/hook", start_update(), secret=SECRET)
        assert status == 503
        async with aiohttp.ClientSession() as session:
            async with session.post(f"http://127.0.0.1:{server.port}/elsewhere", data=b"{}",
                                    headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 404
    finally:
        await server.stop()


async def test_polling_deletes_a_webhook_left_behind(fake, tmp_path, monkeypatch, no_violations):
    monkeypatch.chdir(tmp_path)
    fake.webhook = WebhookSetting(URL, SECRET)  # left by an earlier run in webhook mode
    running = RunningBot(fake=fake, db_path=tmp_path / "bot.sqlite3", clock=FakeClock())
    await running.start()
    try:
        assert fake.webhook is None and len(fake.calls_to("deleteWebhook")) == 1
        ann = fake.user(111, "Ann")
        await ann.send("/start")
        assert (await ann.reply(timeout=10)).text
    finally:
        await running.stop()


async def call(fake, method: str, **params) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{fake.base_url}{fake.token}/{method}", json=params) as response:
            return response.status, await response.json()


async def test_the_fake_checks_set_webhook_as_telegram_does(fake):
    for params, problem in (
        ({"url": "http://bot.example.com/hook"}, "HTTPS URL must be provided"),
        ({"url": "https://bot.example.com:8080/hook"}, "ports 80, 88, 443 or 8443"),
        ({"url": URL, "secret_token": "has space"}, "unallowed characters"),
        ({"url": URL, "secret_token": "x" * 257}, "1-256"),
        ({"url": URL, "max_connections": 101}, "max_connections"),
        ({"url": URL, "allowed_updates": "message"}, "allowed_updates"),
        ({}, "url"),
    ):
        status, body = await call(fake, "setWebhook", **params)
        assert status == 400 and problem in body["description"], (params, body)
    assert fake.webhook is None
    assert (await call(fake, "setWebhook", url="https://bot.example.com:8443/h", secret_token="a" * 256))[0] == 200
    status, body = await call(fake, "getUpdates")
    assert status == 409 and "webhook is active" in body["description"]
    status, body = await call(fake, "getWebhookInfo")
    assert body["result"]["url"] == "https://bot.example.com:8443/h"
    assert (await call(fake, "deleteWebhook"))[0] == 200
    assert (await call(fake, "getWebhookInfo"))[1]["result"]["url"] == ""
    assert (await call(fake, "getUpdates"))[0] == 200


# --- settings ---------------------------------------------------------------------------------

TOKEN = "123456:abcdefghijklmnopqrstuvwxyz"


def problem(**settings) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings(telegram_bot_token=TOKEN, **settings)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_webhook_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    default = load_settings(telegram_bot_token=TOKEN)
    assert (default.bot_mode, default.webhook_listen, default.webhook_port) == ("polling", "127.0.0.1", 8080)
    assert default.webhook_url is None and default.webhook_max_pending == 1000
    # In polling mode the webhook settings are not required (nor checked).
    assert load_settings(telegram_bot_token=TOKEN, webhook_url="http://x").bot_mode == "polling"

    ok = load_settings(telegram_bot_token=TOKEN, bot_mode=" Webhook ", webhook_url=URL, webhook_secret="a" * 256,
                       webhook_port="9000", webhook_listen="0.0.0.0")
    assert (ok.bot_mode, ok.webhook_port, ok.webhook_listen) == ("webhook", 9000, "0.0.0.0")
    assert "a" * 256 not in repr(ok)  # a SecretStr, like the token
    assert load_settings(telegram_bot_token=TOKEN, bot_mode="webhook", webhook_url="https://h.example:8443/x",
                         webhook_secret="A-z_0").webhook_secret.get_secret_value() == "A-z_0"

    hook = {"bot_mode": "webhook"}
    assert problem(bot_mode="hook").startswith("BOT_MODE 'hook' is not a mode")
    assert problem(**hook, webhook_secret=SECRET).startswith("WEBHOOK_URL is required when BOT_MODE=webhook")
    assert problem(**hook, webhook_url=URL).startswith("WEBHOOK_SECRET is required when BOT_MODE=webhook")
    assert problem(**hook, webhook_url=URL, webhook_secret=" ").startswith("WEBHOOK_SECRET is required")
    assert problem(**hook, webhook_url="http://bot.example.com/h", webhook_secret=SECRET).startswith(
        "WEBHOOK_URL must be an https:// URL")
    assert "port 8080" in problem(**hook, webhook_url="https://bot.example.com:8080/h", webhook_secret=SECRET)
    assert "bot token" in problem(**hook, webhook_url=f"https://bot.example.com/{TOKEN}", webhook_secret=SECRET)
    assert "/healthz" in problem(**hook, webhook_url="https://bot.example.com/healthz", webhook_secret=SECRET)
    for bad in ("has space", "x" * 257, "ключ", "a+b"):
        assert problem(**hook, webhook_url=URL, webhook_secret=bad).startswith(
            "WEBHOOK_SECRET must be 1-256 characters of A-Z a-z 0-9 _ -"), bad
    assert problem(webhook_port="0").startswith("WEBHOOK_PORT")
    assert problem(webhook_port="70000").startswith("WEBHOOK_PORT")
    assert problem(webhook_max_pending="0").startswith("WEBHOOK_MAX_PENDING")


# --- `python -m bot` in webhook mode, as an operator runs it ------------------------------------


def webhook_settings(fake, tmp_path, port: int, **more: str) -> dict[str, str]:
    settings = dict(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                    DATABASE_PATH=str(tmp_path / "bot.sqlite3"), BOT_MODE="webhook", WEBHOOK_URL=URL,
                    WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port), LOG_LEVEL="DEBUG")
    return {**settings, **more}


async def test_python_m_bot_serves_the_webhook_and_stops_on_sigterm(fake, tmp_path):
    from tests.subprocesses import finish, until
    from tests.test_startup import clean_env, free_port, start

    port = free_port()
    proc = await start(cwd=tmp_path, env=clean_env(**webhook_settings(fake, tmp_path, port)))
    try:
        await until(fake, proc, lambda: fake.webhook is not None, "setWebhook")
        assert await get(f"http://127.0.0.1:{port}/healthz") == (200, "ok")
        fake.deliver_webhook(f"http://127.0.0.1:{port}")
        ann = fake.user(111, "Ann")
        await ann.send("/start")
        assert (await ann.reply(timeout=20)).text
        proc.send_signal(signal.SIGTERM)
    finally:
        code, _, err = await finish(proc)
    assert code == 0, err
    assert "Traceback" not in err
    assert fake.token not in err and SECRET not in err  # both masked, even at DEBUG
    assert fake.calls_to("deleteWebhook") == [] and fake.webhook is not None


async def test_python_m_bot_webhook_start_up_failures_are_one_line(fake, tmp_path):
    from tests.test_startup import free_port, only_line, run

    code, _, err = await run(cwd=tmp_path, TELEGRAM_BOT_TOKEN=fake.token, BOT_MODE="webhook", WEBHOOK_URL=URL)
    assert code == 2 and only_line(err).startswith("error: WEBHOOK_SECRET is required when BOT_MODE=webhook")

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code, _, err = await run(cwd=tmp_path, **webhook_settings(fake, tmp_path, busy.getsockname()[1], LOG_LEVEL="INFO"))
    assert code == 2 and "already in use" in only_line(err)

    fake.inject_error("setWebhook", 400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known")
    code, _, err = await run(cwd=tmp_path, **webhook_settings(fake, tmp_path, free_port(), LOG_LEVEL="INFO"))
    assert code == 2 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert errors == [err.strip().splitlines()[-1]]  # exactly one, and it is the last line
    assert "Telegram refused WEBHOOK_URL" in errors[0] and "resolve host" in errors[0]
