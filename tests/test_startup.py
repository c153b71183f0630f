"""Starting the bot from the command line: every failure is one line and an exit code.

Each test runs `python -m bot` as an operator would, in a child process, against the fake
Bot API server (or against nothing at all).
"""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest
from telegram.error import Conflict
from telegram.ext import ApplicationHandlerStop

from bot import __version__
from bot.telegram.conflict import ConflictGuard
from tests.subprocesses import clean_env, finish, start_bot, until_polling


async def start(*args: str, cwd: Path, env: dict[str, str]) -> asyncio.subprocess.Process:
    return await start_bot(*args, cwd=cwd, env=env)


async def run(*args: str, cwd: Path, **settings: str) -> tuple[int, str, str]:
    return await finish(await start(*args, cwd=cwd, env=clean_env(**settings)))


def only_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_no_token_points_to_the_sandbox(tmp_path):
    code, _, err = await run(cwd=tmp_path)
    assert code == 2
    line = only_line(err)
    assert "TELEGRAM_BOT_TOKEN is missing" in line and "python -m bot sandbox" in line


async def test_a_bad_setting_names_itself(tmp_path):
    code, _, err = await run(cwd=tmp_path, TELEGRAM_BOT_TOKEN="123456:abcdefghijklmnopqrstuvwxyz", LOG_LEVEL="LOUD")
    assert code == 2
    assert only_line(err).startswith("error: LOG_LEVEL 'LOUD' is not a log level")


async def test_a_refused_token_is_one_line(fake, tmp_path):
    code, _, err = await run(cwd=tmp_path, TELEGRAM_BOT_TOKEN="1234567:this-is-not-the-token-the-server-knows",
                             TELEGRAM_API_BASE_URL=fake.base_url)
    assert code == 2
    assert "TELEGRAM_BOT_TOKEN was refused" in only_line(err)


async def test_no_network_is_one_line_after_the_retries(tmp_path):
    nothing_there = f"http://127.0.0.1:{free_port()}/bot"
    code, _, err = await run(cwd=tmp_path, TELEGRAM_BOT_TOKEN="123456:abcdefghijklmnopqrstuvwxyz",
                             TELEGRAM_API_BASE_URL=nothing_there)
    assert code == 4
    assert "cannot reach the Telegram Bot API" in only_line(err)


async def test_a_database_that_cannot_be_opened_is_one_line(fake, tmp_path):
    (tmp_path / "taken").write_text("a file where a folder should be")
    code, _, err = await run(cwd=tmp_path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                             DATABASE_PATH=str(tmp_path / "taken" / "bot.sqlite3"))
    assert code == 2
    assert "cannot open DATABASE_PATH" in only_line(err)


async def test_a_database_from_a_newer_version_is_one_line(fake, tmp_path):
    """Rolling the code back over a database a newer version migrated: one line, not a traceback."""
    import sqlite3

    db = tmp_path / "bot.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 9999")
    code, _, err = await run(cwd=tmp_path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                             DATABASE_PATH=str(db))
    assert code == 2
    assert "newer version of the bot" in only_line(err)


async def keep_polling(fake) -> None:
    """Another copy of the bot that has been running a while: it polls again at once after a 409."""
    url = f"{fake.base_url}{fake.token}/getUpdates"
    async with aiohttp.ClientSession() as session:
        while True:
            async with session.post(url, json={"timeout": 30}) as response:
                await response.read()


async def test_a_second_copy_gives_way_with_one_line(fake, tmp_path):
    other = asyncio.create_task(keep_polling(fake))
    try:
        await fake.wait_until(lambda: fake.polling, timeout=10, what="the first copy to poll")
        code, _, err = await run(cwd=tmp_path, TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                                 DATABASE_PATH=str(tmp_path / "bot.sqlite3"))
    finally:
        other.cancel()
    assert code == 5
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert errors == [err.strip().splitlines()[-1]]  # exactly one, and it is the last line
    assert "already polling" in errors[0] and "409" in errors[0]


async def test_start_up_names_the_bot_and_its_link(fake, tmp_path):
    proc = await start(cwd=tmp_path, env=clean_env(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                                                    DATABASE_PATH=str(tmp_path / "bot.sqlite3")))
    try:
        await until_polling(fake, proc)
        proc.send_signal(signal.SIGTERM)
    finally:
        code, _, err = await finish(proc)
    assert code == 0, err
    named = [line for line in err.splitlines() if "@backspasm_test_bot" in line]
    assert len(named) == 1 and "https://t.me/backspasm_test_bot" in named[0]
    assert fake.token not in err


class Stop:
    def __init__(self) -> None:
        self.calls = 0

    def stop_running(self) -> None:
        self.calls += 1


async def test_conflict_guard_stops_a_newcomer_and_keeps_an_old_hand_going(caplog):
    clock = [0.0]
    guard = ConflictGuard(grace=35, now=lambda: clock[0])
    guard.polling_started()
    app = Stop()
    context = SimpleNamespace(error=Conflict("terminated by other getUpdates request"), application=app)

    clock[0] = 100.0  # long after start-up: someone else arrived; we stay
    with pytest.raises(ApplicationHandlerStop):
        await guard.on_error(None, context)
    assert (app.calls, guard.gave_way) == (0, False)
    assert "another copy of this bot" in caplog.text

    newcomer = ConflictGuard(grace=35, now=lambda: clock[0])
    newcomer.polling_started()
    clock[0] += 2  # two seconds in: we are the second copy
    with pytest.raises(ApplicationHandlerStop):
        await newcomer.on_error(None, context)
    assert (app.calls, newcomer.gave_way) == (1, True)

    other = SimpleNamespace(error=ValueError("not ours"), application=app)
    assert await newcomer.on_error(None, other) is None  # left to the general error handler


async def test_version(tmp_path):
    code, out, _ = await run("--version", cwd=tmp_path)
    assert code == 0 and out.strip() == f"backspasm-bot {__version__}"


async def test_sandbox_command_serves_the_chat_and_stops_cleanly(tmp_path):
    # An operator's .env with a real-looking token must never reach the sandbox.
    (tmp_path / ".env").write_text("TELEGRAM_BOT_TOKEN=987654:real-token-that-must-not-be-used-x\n"
                                   "TELEGRAM_API_BASE_URL=http://127.0.0.1:9/bot\n")
    proc = await start("sandbox", "--port", "0", cwd=tmp_path, env=clean_env())
    try:
        line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
        assert line.startswith("Sandbox chat: http://127.0.0.1:"), line
        url = line.split()[2]
        async with aiohttp.ClientSession() as session:
            async with session.get(url + "api/state") as response:
                state = await response.json()
        assert state["bot"]["username"] and state["chats"]
        assert (tmp_path / "data" / "sandbox.sqlite3").exists()
        proc.send_signal(signal.SIGINT)
    finally:
        code, _, err = await finish(proc)
    assert code == 0, err
    assert "Traceback" not in err and "real-token" not in err


async def test_sandbox_port_in_use_is_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        code, _, err = await run("sandbox", "--port", str(busy.getsockname()[1]), cwd=tmp_path)
    assert code == 2
    assert "already in use" in only_line(err)
