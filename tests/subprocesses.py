"""Helpers for tests that start the bot as a child process."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without the bot's settings (no developer's token leaks in), plus these."""
    keep = {k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_", "LOG_LEVEL", "CONTENT_DIR"))}
    return {**keep, "PYTHONPATH": str(ROOT), **settings}


async def start_bot(*args: str, cwd: Path, env: dict[str, str], **streams) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` as an operator runs it (stdout and stderr piped unless given)."""
    streams = {"stdout": asyncio.subprocess.PIPE, "stderr": asyncio.subprocess.PIPE, **streams}
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=cwd, env=env, **streams)


async def finish(proc: asyncio.subprocess.Process, timeout: float = 60) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) once the process ends; killed if it outlives `timeout`."""
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return proc.returncode, (out or b"").decode(), (err or b"").decode()


async def until_polling(fake, proc: asyncio.subprocess.Process, who: str = "the bot") -> None:
    """Wait until the bot polls; if it exits first, fail at once with what it said."""
    await until(fake, proc, lambda: fake.polling, f"{who} to poll", who)


async def until(fake, proc: asyncio.subprocess.Process, ready, what: str, who: str = "the bot") -> None:
    """Wait until `ready()` holds on the fake server; if the bot exits first, fail at once with
    what it said."""
    waiting = asyncio.create_task(fake.wait_until(ready, timeout=60, what=what))
    exited = asyncio.create_task(proc.wait())
    done, _ = await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
    if exited in done:
        waiting.cancel()
        pytest.fail(f"{who} exited with {proc.returncode}: {(await proc.stderr.read()).decode()}")
    exited.cancel()
    waiting.result()
