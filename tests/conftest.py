"""End-to-end harness: the real Application, polling a fake Bot API server on 127.0.0.1.

`bot` gives a running bot with a real SQLite file and an injected clock; `bot.restart()` stops the
Application and builds a new one on the same database and fake server, as a process restart would.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from telegram.ext import Application

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import load_settings
from bot.core.flood import FloodGate
from bot.sandbox.server import FakeTelegram

# `store` / `store_place`: a database of each backend, SQLite and PostgreSQL (tests/backends.py).
pytest_plugins = ["tests.backends"]

TOKEN = "123456789:TEST-fake-telegram-token-for-tests"


@dataclass
class FakeClock:
    """The bot's idea of now; tests move it by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


# The bots of all tests share one saved answer engine (bot.engine_cache), as a deployed bot's
# restarts do: the first build is saved, every later start loads it.
ENGINE_CACHE = Path(tempfile.mkdtemp(prefix="engine-cache-"))


@dataclass
class RunningBot:
    fake: FakeTelegram
    db_path: Path
    clock: FakeClock
    app: Application | None = None
    extra: dict = field(default_factory=dict)

    @property
    def settings(self):
        return load_settings(
            telegram_bot_token=self.fake.token,
            telegram_api_base_url=self.fake.base_url,
            database_path=self.db_path,
            admin_ids=self.extra.get("admin_ids", ""),
            engine_cache_dir=ENGINE_CACHE,
        )

    async def start(self) -> Application:
        # Tests type faster than people: a roomy flood gate unless a test asks for the real one.
        gate = self.extra.get("flood_gate") or FloodGate(burst=100_000)
        app = build_application(self.settings, clock=self.clock, dispatch_interval=None, flood_gate=gate)
        await app.initialize()
        await app.post_init(app)  # initialize() does not run post_init; run_polling would
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=ALLOWED_UPDATES)
        self.app = app
        return app

    async def stop(self) -> None:
        app, self.app = self.app, None
        if app is None:
            return
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await app.post_shutdown(app)  # shutdown() does not run post_shutdown either

    async def restart(self) -> Application:
        await self.stop()
        return await self.start()

    @property
    def services(self):
        from bot.telegram.services import KEY

        return self.app.bot_data[KEY]


@pytest.fixture
async def fake():
    async with FakeTelegram(token=TOKEN) as server:
        yield server


@pytest.fixture
async def bot(fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no developer .env leaks into the settings
    running = RunningBot(fake=fake, db_path=tmp_path / "data" / "bot.sqlite3", clock=FakeClock())
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def no_violations(fake):
    """Use in any end-to-end test: fails it if the bot sent Telegram anything Telegram refuses."""
    yield
    assert fake.violations == [], fake.violations
    assert fake.unanswered_callback_queries() == []
