"""`python -m bot sandbox`: the real bot, the fake Bot API server and the web chat in one process.

No token and no network: the bot is built by bot.app exactly as for Telegram, only pointed at
the fake server on 127.0.0.1, with its own SQLite file and a clock the page can move forward.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import datetime
from pathlib import Path

from aiohttp import web
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application, close_transport
from bot.config import load_settings
from bot.sandbox.clock import SandboxClock
from bot.sandbox.server import DEFAULT_TOKEN, FakeTelegram
from bot.sandbox.web.hub import Hub
from bot.sandbox.web.site import build_site
from bot.storage import subscriptions
from bot.telegram import reminder_sender
from bot.telegram.services import KEY

log = logging.getLogger("bot.sandbox")

BOT_USERNAME = "backspasm_sandbox_bot"
PEOPLE = ((111, "Ann"), (112, "Ben"), (113, "Chloe"))
GROUP = (-555001, "Back club")
ADMIN = 111  # Ann may use /stats, so the admin view can be tried too
TICK_EVERY = 5.0  # real seconds between reminder ticks; the bot's own job uses 30


class Sandbox:
    """Start with `await Sandbox(...).start()`, stop with `await sandbox.stop()`; `url` is the page."""

    def __init__(
        self,
        database: Path,
        *,
        content_dir: Path | None = None,
        host: str = "127.0.0.1",
        port: int = 8088,
        start: datetime | None = None,
    ):
        self.database = Path(database)
        self.content_dir = content_dir
        self.host = host
        self.port = port
        self.clock = SandboxClock(start)
        self.fake = FakeTelegram(
            DEFAULT_TOKEN, clock=self.clock.timestamp, bot_username=BOT_USERNAME, bot_first_name="Back Spasm Helper"
        )
        self.hub = Hub(self.fake, self.clock, self.advance, self.next_due)
        self.app: Application | None = None
        self._site: web.AppRunner | None = None
        self._ticker: asyncio.Task | None = None
        self._tick_lock = asyncio.Lock()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    async def start(self) -> Sandbox:
        try:
            await self._start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def _start(self) -> None:
        # The page's port first: if it is taken, nothing else has been touched yet.
        self._site = web.AppRunner(build_site(self.hub, self.host), access_log=None, shutdown_timeout=1.0)
        await self._site.setup()
        await web.TCPSite(self._site, self.host, self.port).start()
        self.port = self._site.addresses[0][1]

        await self.fake.start()
        for user_id, name in PEOPLE:
            self.hub.add_user(name, user_id)
        self.fake.group(GROUP[0], GROUP[1], [user_id for user_id, _ in PEOPLE])

        # The fake's chats start empty every run, so the bot's database does too: old rows
        # would point at message ids that now belong to other messages.
        for path in (self.database, *(self.database.with_name(self.database.name + s) for s in ("-wal", "-shm"))):
            path.unlink(missing_ok=True)
        settings = load_settings(
            _env_file=None,  # never the operator's .env: its token must not meet the sandbox
            telegram_bot_token=self.fake.token,
            telegram_api_base_url=self.fake.base_url,
            database_path=self.database,
            admin_ids=str(ADMIN),
            content_dir=self.content_dir,
        )
        app = build_application(settings, clock=self.clock.now, dispatch_interval=None)
        self.app = app
        await app.initialize()
        await app.post_init(app)  # run_polling would run it; here the loop is ours
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=10, allowed_updates=ALLOWED_UPDATES)
        self._ticker = asyncio.create_task(self._tick_forever(), name="sandbox reminders")

    async def advance(self, seconds: float) -> int:
        """Move the bot's clock forward and send whatever falls due; returns how many were sent."""
        # A button tapped just before should get its answer before 15 simulated seconds pass.
        deadline = self.fake.callback_answer_timeout
        await self._quietly(
            self.fake.wait_until(
                lambda: not any(
                    q.answer is None and self.clock.timestamp() - q.created_at < deadline
                    for q in self.fake.queries.values()
                ),
                timeout=2.0,
            )
        )
        async with self._tick_lock:
            self.clock.advance(seconds)
            self.hub.clock_moved()
            return await self._tick()

    async def next_due(self) -> datetime | None:
        """When the next reminder of any sandbox chat falls due (a snoozed one included)."""
        svc = self.app.bot_data[KEY] if self.app is not None else None
        if svc is None or svc.db is None:
            return None
        times = []
        for chat_id in list(self.fake.chats):
            for sub in await subscriptions.list_subscriptions(svc.db, chat_id):
                if sub.active:
                    times += [due.due_utc for due in (sub.next, sub.snooze) if due is not None]
        return min(times, default=None)

    async def _tick(self) -> int:
        if self.app is None:
            return 0
        report = await reminder_sender.tick(self.app, self.clock.now())
        return report.sent

    async def _tick_forever(self) -> None:
        while True:
            await asyncio.sleep(TICK_EVERY)
            async with self._tick_lock:
                try:
                    await self._tick()
                except Exception:  # one bad tick must not end reminders for the session
                    log.exception("reminder tick failed")

    @staticmethod
    async def _quietly(awaitable) -> None:
        with contextlib.suppress(TimeoutError):
            await awaitable

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        self.hub.close()
        if self._site is not None:
            await self._site.cleanup()
            self._site = None
        app, self.app = self.app, None
        if app is not None:
            try:
                if app.updater.running:
                    await app.updater.stop()
                if app.running:
                    await app.stop()
                await app.shutdown()
                await app.post_shutdown(app)
            finally:
                await close_transport(app)
        await self.fake.stop()


async def serve(sandbox: Sandbox, announce=print) -> None:
    """Run until Ctrl+C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await sandbox.start()
    try:
        announce(f"Sandbox chat: {sandbox.url}  (no token, no network; Ctrl+C to stop)")
        await stop.wait()
    finally:
        await sandbox.stop()
