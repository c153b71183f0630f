"""Helpers for tests that start the bot as a child process."""

from __future__ import annotations

import asyncio

import pytest


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
    polling = asyncio.create_task(fake.wait_until(lambda: fake.polling, timeout=60, what=f"{who} to poll"))
    exited = asyncio.create_task(proc.wait())
    done, _ = await asyncio.wait({polling, exited}, return_when=asyncio.FIRST_COMPLETED)
    if exited in done:
        polling.cancel()
        pytest.fail(f"{who} exited with {proc.returncode}: {(await proc.stderr.read()).decode()}")
    exited.cancel()
    polling.result()
