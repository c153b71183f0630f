"""Webhook mode: Telegram posts each update to us instead of the bot polling getUpdates.

`python -m bot` with BOT_MODE=webhook registers WEBHOOK_URL with setWebhook (with the secret
token and the same allowed_updates as polling) and serves HTTP on WEBHOOK_LISTEN:WEBHOOK_PORT at
the path of WEBHOOK_URL; a reverse proxy terminates TLS and forwards there. Our own small aiohttp
server rather than python-telegram-bot's tornado-based `run_webhook`, so that every answer is ours:

- POST <path>: the `X-Telegram-Bot-Api-Secret-Token` header must equal WEBHOOK_SECRET (compared in
  constant time), else 403 and the body is not read. A body that is not a JSON update: 400.
  More than `max_pending` updates taken but not yet handled: 429, and Telegram tries again
  later. The bot not running (starting or stopping): 503, retried too. Otherwise the update goes
  on the Application's update queue: 200.
- GET /healthz: 200 "ok" while the bot runs, 503 otherwise.

Why count "pending" rather than bound the queue: with concurrent updates PTB takes each update off
`update_queue` at once and starts a task for it (it has no back-pressure of its own), so the queue
itself never fills. `PendingQueue` counts updates put and not yet marked done (PTB calls
`task_done()` after handling each), which is the work the bot really has in hand.

Stopping does not call deleteWebhook: Telegram keeps the updates and delivers them to the next
process (or retries until one answers). Polling mode deletes the webhook when it starts
(python-telegram-bot's start_polling always calls deleteWebhook).

The token never appears in a path or in a log line; the secret is masked in logs like the token.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, InvalidToken, NetworkError
from telegram.ext import Application

from bot.config import HEALTH_PATH, Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # an update is a few KB; Telegram never sends more than this
RETRY_INTERVAL = 1.0


class PendingQueue(asyncio.Queue):
    """The Application's update queue, counting updates put and not yet done (`pending`)."""

    def __init__(self) -> None:
        super().__init__()
        self.pending = 0

    def put_nowait(self, item: Any) -> None:  # Queue.put() ends here too
        super().put_nowait(item)
        self.pending += 1

    def task_done(self) -> None:
        super().task_done()
        self.pending = max(0, self.pending - 1)


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class WebhookServer:
    """The HTTP side of webhook mode, for one Application. `port=0` picks a free port (tests)."""

    def __init__(
        self,
        app: Application,
        *,
        path: str,
        secret: str,
        listen: str = "127.0.0.1",
        port: int = 8080,
        max_pending: int = 1000,
    ) -> None:
        self.app = app
        self.path = path
        self.listen = listen
        self.port = port
        self.max_pending = max_pending
        self._secret = secret.encode()
        self._runner: web.AppRunner | None = None
        self.refused = 0  # requests without the right secret, for tests and diagnosis

    @property
    def url(self) -> str:
        """Where the reverse proxy forwards to (http, on this machine)."""
        return f"http://{self.listen}:{self.port}{self.path}"

    async def start(self) -> WebhookServer:
        web_app = web.Application(client_max_size=MAX_BODY)
        web_app.router.add_post(self.path, self._update)
        web_app.router.add_get(HEALTH_PATH, self._health)
        # No access log: it would add a line per update; refusals are logged below.
        self._runner = web.AppRunner(web_app, access_log=None, handle_signals=False, shutdown_timeout=5.0)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.listen, self.port).start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _health(self, request: web.Request) -> web.Response:
        if self.app.running:
            return web.Response(text="ok")
        return web.Response(status=503, text="not running")

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            log.warning("webhook: refused a request from %s without the right secret header", request.remote)
            return web.Response(status=403, text="forbidden")
        if not self.app.running:
            return web.Response(status=503, text="not running")  # Telegram retries
        queue = self.app.update_queue
        if getattr(queue, "pending", queue.qsize()) >= self.max_pending:
            log.warning("webhook: %d updates in hand, asking Telegram to retry later (429)", self.max_pending)
            return web.Response(status=429, text="too many updates in hand", headers={"Retry-After": "1"})
        try:
            data = json.loads(await request.read())
            if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
            update = Update.de_json(data, self.app.bot)
        except web.HTTPException:
            raise  # 413 for an oversized body
        except Exception as exc:  # whatever the body, a bad one is a 400, never a crash
            log.warning("webhook: a request body that is not an update (%s)", type(exc).__name__)
            return web.Response(status=400, text="not a JSON update")
        queue.put_nowait(update)
        return web.Response(text="ok")


async def retrying(action: Callable[[], Awaitable[Any]], retries: int, what: str) -> Any:
    """Run `action`, retrying a network failure `retries` times; a refusal is not retried."""
    for attempt in range(retries + 1):
        try:
            return await action()
        except (BadRequest, InvalidToken):
            raise
        except NetworkError as exc:
            if attempt == retries:
                raise
            log.warning("%s failed (%s), retrying", what, type(exc).__name__)
            await asyncio.sleep(RETRY_INTERVAL)
    return None  # unreachable


async def register(app: Application, settings: Settings, allowed_updates: list[str]) -> None:
    """setWebhook with the secret and the update types polling asks for; pending updates stay."""
    assert settings.webhook_url and settings.webhook_secret
    await app.bot.set_webhook(
        url=settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=allowed_updates,
        drop_pending_updates=False,
    )


async def run(
    app: Application,
    settings: Settings,
    allowed_updates: list[str],
    *,
    bootstrap_retries: int = 3,
    stop: asyncio.Event | None = None,
    on_serving: Callable[[WebhookServer], None] | None = None,
    handle_signals: bool = True,
    port: int | None = None,
) -> None:
    """Run the bot in webhook mode until SIGINT/SIGTERM (or `stop` is set), the way
    Application.run_polling runs it: initialize, post_init, serve; then stop, shutdown,
    post_shutdown, also after a failed start. Start-up errors propagate to the caller.
    `on_serving(server)` is called once Telegram has the URL (tests read the port there)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
    for sig in signals:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    assert settings.webhook_url and settings.webhook_secret
    server = WebhookServer(
        app,
        path=webhook_path(settings.webhook_url),
        secret=settings.webhook_secret.get_secret_value(),
        listen=settings.webhook_listen,
        port=settings.webhook_port if port is None else port,  # port=0: any free one (tests)
        max_pending=settings.webhook_max_pending,
    )
    try:
        # First, so that a port in use fails before anything is sent to Telegram. Until the
        # Application runs, posts are answered 503 (retried), though none come before setWebhook.
        await server.start()
        await retrying(app.initialize, bootstrap_retries, "start-up (getMe)")
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await retrying(lambda: register(app, settings, allowed_updates), bootstrap_retries, "setWebhook")
        log.info("webhook: Telegram posts to %s; serving it on %s", settings.webhook_url, server.url)
        if on_serving is not None:
            on_serving(server)
        await stop.wait()
        log.info("stopping (the webhook stays set, so Telegram keeps updates for the next start)")
    finally:
        for sig in signals:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
        await server.stop()  # no new updates; then finish the ones in hand
        if app.running:
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
