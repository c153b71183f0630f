"""Reminder dispatch at scale: 100 000 subscriptions in a temporary SQLite file.

    python bench/reminders.py                         # the defaults below
    python bench/reminders.py --subs 20000 --limited 120 --unlimited 2000

Prints one table:
- due query: the dispatcher's due_subscriptions() per tick, over an hour of 30 s ticks;
- schedule all: subscriptions.schedule_all() computing and storing next-due for every subscription;
- send rate with python-telegram-bot's AIORateLimiter on (as in the bot; the fake server enforces
  Telegram's ~30 messages/s and answers 429 beyond it) and off, through the real dispatcher tick
  on the bot's aiohttp request backend (and, for comparison, on PTB's default httpx one);
- duplicates and losses, from the messages the fake server stored per chat;
- peak memory: tracemalloc while scheduling and querying, and the process's max RSS.

The fake Bot API server (bot.sandbox) runs in a child process on 127.0.0.1 so that its work does
not slow the bot side down. Loopback only; everything is bounded by the counts given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from telegram import Bot  # noqa: E402
from telegram.ext import AIORateLimiter, ExtBot  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bot.core.reminder_content import load_reminder_content  # noqa: E402
from bot.reminders import dispatcher  # noqa: E402
from bot.storage import subscriptions  # noqa: E402
from bot.storage.db import close_db, open_db  # noqa: E402
from bot.telegram.aiohttp_request import AiohttpRequest  # noqa: E402
from bot.telegram.reminder_sender import TelegramSender  # noqa: E402

UTC = timezone.utc
START = datetime(2026, 6, 1, 0, 0, 30, tzinfo=UTC)
ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "America/Los_Angeles", "Asia/Kolkata",
         "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo", "Africa/Lagos", "+05:45", "-03:30", "UTC"]
TOKEN = "123456789:BENCH-fake-telegram-token-xxxx"
TARGETS = {"limited": 25.0, "unlimited": 1000.0, "memory_mb": 150.0}
TICK_BUDGET = 120.0  # seconds a send run may take before what is left counts as lost


# --- the fake server, in a child process --------------------------------------------------------


def serve_fake(first: int, last: int, flood: float | None) -> None:
    """Child: start the fake with users first..last, print the port, serve until stdin closes,
    then print how many messages each chat got and the child's peak memory."""
    from bot.sandbox.server import FakeTelegram

    async def main() -> None:
        fake = FakeTelegram(token=TOKEN, record_calls=False, flood_limit_per_second=flood)
        await fake.start()
        for chat in range(first, last + 1):
            fake.user(chat)
        print(f"PORT {fake.port}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        counts = {chat: n for chat, state in fake.chats.items() if (n := state.sent)}
        flood_refusals = sum(1 for v in fake.violations if v.error_code == 429)
        print(json.dumps({"counts": counts, "flood_429": flood_refusals, "rss_mb": own_peak_rss_mb()}), flush=True)
        await fake.stop()

    asyncio.run(main())


def own_peak_rss_mb() -> float:
    """This process's peak RSS. Not getrusage(): on Linux its ru_maxrss survives fork and exec,
    so a child would report its parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FakeProcess:
    def __init__(self, chats: range, flood: float | None):
        args = [sys.executable, __file__, "--serve-fake", "--chats", f"{chats.start}-{chats.stop - 1}"]
        if flood:
            args += ["--flood", str(flood)]
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "PORT":
            self.proc.kill()
            raise RuntimeError("the fake server did not start")
        self.base_url = f"http://127.0.0.1:{line[1]}/bot"

    def finish(self) -> dict:
        out, _ = self.proc.communicate(input="", timeout=60)
        result = json.loads(out.strip().splitlines()[-1])
        result["counts"] = {int(k): v for k, v in result["counts"].items()}
        return result


# --- the database -------------------------------------------------------------------------------


async def fill(db, subs: int, rng: random.Random) -> None:
    """One chat per subscription, 60 % stretching at a random minute, 40 % water; all active."""
    now = int(START.timestamp())
    users, rows = [], []
    for chat in range(1, subs + 1):
        users.append((chat, chat, rng.choice(ZONES), now, now))
        if rng.random() < 0.6:
            at = f"{rng.randrange(6, 22):02d}:{rng.randrange(60):02d}"
            rows.append((chat, "stretching", at, 4, "09:00", "19:00", now, now))
        else:
            count = rng.randrange(2, 7)
            rows.append((chat, "hydration", "09:00", count, f"{rng.randrange(7, 11):02d}:00", f"{rng.randrange(17, 22):02d}:00", now, now))
    await db.execute("BEGIN IMMEDIATE")
    await db.executemany("INSERT INTO users (chat_id, user_id, zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", users)
    await db.executemany(
        "INSERT INTO subscriptions (chat_id, kind, active, at_time, per_day, start_time, end_time, created_at, updated_at) "
        "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    await db.execute("COMMIT")


async def make_due(db, chats: range, at: datetime) -> None:
    """Point these chats' next slot at `at` (their keys stay the real next slots: unique)."""
    await db.execute("BEGIN IMMEDIATE")
    await db.executemany("UPDATE subscriptions SET next_due_utc = ? WHERE chat_id = ?", [(int(at.timestamp()), c) for c in chats])
    await db.execute("COMMIT")


async def push_back(db, subs) -> None:
    await db.execute("BEGIN IMMEDIATE")
    await db.executemany(
        "UPDATE subscriptions SET next_due_utc = next_due_utc + 86400 WHERE id = ?", [(s.id,) for s in subs]
    )
    await db.execute("COMMIT")


async def query_plan(db) -> str:
    rows = await db.execute_fetchall("EXPLAIN QUERY PLAN " + subscriptions.DUE_QUERY, (0, 500))
    return "; ".join(r[3] for r in rows)


# --- sending runs -------------------------------------------------------------------------------


async def send_run(
    db, content, chats: range, at: datetime, *, limiter: bool, flood: float | None, backend: str = "aiohttp"
) -> dict:
    fake = FakeProcess(chats, flood)
    try:
        pool = dispatcher.CONCURRENCY + 4
        # The bot's own backend (bot.app wires AiohttpRequest), or PTB's default for comparison.
        request = AiohttpRequest(connection_pool_size=pool) if backend == "aiohttp" else HTTPXRequest(connection_pool_size=pool)
        if limiter:
            bot = ExtBot(TOKEN, base_url=fake.base_url, request=request, rate_limiter=AIORateLimiter(max_retries=2))
        else:
            bot = Bot(TOKEN, base_url=fake.base_url, request=request)
        await make_due(db, chats, at - timedelta(seconds=10))
        deps = dispatcher.Deps(db, content)  # keeps the 429 pause between ticks
        sent = ticks = held = 0
        sender = TelegramSender(bot, content)
        async with bot:
            began = time.perf_counter()

            def clock() -> datetime:  # the injected clock moving with real time (a 429 pause ends)
                return at + timedelta(seconds=time.perf_counter() - began)

            while time.perf_counter() - began < TICK_BUDGET:
                # Ticks back to back.
                report = await dispatcher.tick(sender, deps, clock(), clock=clock)
                ticks += 1
                sent, held = sent + report.sent, held + report.held
                if report.paused:
                    await asyncio.sleep(0.05)
                elif report.due == 0:
                    break
            elapsed = time.perf_counter() - began
    finally:
        result = fake.finish()
    counts = result["counts"]
    expected = set(chats)
    return {
        "sent": sent,
        "ticks": ticks - 1,  # the last one found nothing left
        "held": held,
        "seconds": elapsed,
        "rate": sent / elapsed if elapsed else 0.0,
        "duplicates": sum(n - 1 for c, n in counts.items() if n > 1),
        "losses": len(expected - set(counts)),
        "strays": len(set(counts) - expected),
        "flood_429": result["flood_429"],
        "fake_rss_mb": result["rss_mb"],
    }


# --- the whole bench ----------------------------------------------------------------------------


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.2f} ms, max {max(values) * 1000:.2f} ms"


async def run(args: argparse.Namespace) -> int:
    rng = random.Random(7)
    content = load_reminder_content()
    rows: list[tuple[str, str, str]] = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-reminders-") as tmp:
        db = await open_db(Path(tmp) / "bench.sqlite3")
        try:
            began = time.perf_counter()
            await fill(db, args.subs, rng)
            rows.append(("insert subscriptions", f"{args.subs:,} in {time.perf_counter() - began:.2f} s", ""))

            tracemalloc.start()
            began = time.perf_counter()
            scheduled = await subscriptions.schedule_all(db, START)
            took = time.perf_counter() - began
            rows.append(("schedule all (next due, stored)", f"{scheduled:,} in {took:.2f} s ({scheduled / took:,.0f}/s)", ""))

            busy = START + timedelta(hours=6)  # 30 s ticks from 06:00 UTC, a busy hour
            while due := await subscriptions.due_subscriptions(db, busy, dispatcher.LIMIT):
                await push_back(db, due)  # the backlog since midnight, as a running bot would have sent it
            per_tick, found = [], []
            for step in range(1, args.ticks + 1):
                now = busy + timedelta(seconds=30 * step)
                began = time.perf_counter()
                due = await subscriptions.due_subscriptions(db, now, dispatcher.LIMIT)
                per_tick.append(time.perf_counter() - began)
                found.append(len(due))
                await push_back(db, due)  # as the dispatcher's advance would (not timed)
            idle = START - timedelta(days=1)
            empty = []
            for _ in range(20):
                began = time.perf_counter()
                await subscriptions.due_subscriptions(db, idle, dispatcher.LIMIT)
                empty.append(time.perf_counter() - began)
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rows.append((f"due query per tick (≤{dispatcher.LIMIT} rows)", ms(per_tick), f"{args.ticks} ticks, {min(found)}–{max(found)} due"))
            rows.append(("due query, nothing due", ms(empty), ""))
            rows.append(("  query plan", await query_plan(db), ""))

            # Sends happen at START, when nothing else is due; the two runs use different chats.
            await subscriptions.schedule_all(db, START)
            limited = await send_run(db, content, range(1, args.limited + 1), START, limiter=True, flood=30.0)
            chats = range(args.limited + 1, args.limited + args.unlimited + 1)
            unlimited = await send_run(db, content, chats, START + timedelta(seconds=10), limiter=False, flood=None)
            chats = range(chats.stop, chats.stop + args.httpx)
            httpx_run = await send_run(
                db, content, chats, START + timedelta(seconds=20), limiter=False, flood=None, backend="httpx"
            ) if args.httpx else None
        finally:
            await close_db(db)

    def verdict(value: float, target: float, higher: bool = True) -> str:
        nonlocal ok
        good = value >= target if higher else value < target
        ok = ok and good
        return f"target {'≥' if higher else '<'} {target:g}: {'OK' if good else 'MISSED'}"

    rows.append(("send rate, AIORateLimiter on", f"{limited['rate']:.1f} msg/s ({limited['sent']} in {limited['seconds']:.1f} s)",
                 verdict(limited["rate"], TARGETS["limited"])
                 + f"; {limited['flood_429']} × 429 from the fake's flood control, {limited['ticks']} tick(s)"))
    rows.append(("send rate, AIORateLimiter off", f"{unlimited['rate']:.0f} msg/s ({unlimited['sent']} in {unlimited['seconds']:.2f} s)",
                 verdict(unlimited["rate"], TARGETS["unlimited"])))
    runs = [limited, unlimited]
    if httpx_run:
        rows.append(("  same, PTB's default httpx backend", f"{httpx_run['rate']:.0f} msg/s ({httpx_run['sent']} in {httpx_run['seconds']:.2f} s)",
                     "for comparison only"))
        runs.append(httpx_run)
    duplicates = sum(r["duplicates"] + r["strays"] for r in runs)
    losses = sum(r["losses"] for r in runs)
    rows.append(("duplicates / losses", f"{duplicates} / {losses}", "target 0 / 0: " + ("OK" if duplicates == losses == 0 else "MISSED")))
    ok = ok and duplicates == losses == 0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak memory, tracemalloc", f"{traced_peak / 2**20:.1f} MB", "schedule all + due queries"))
    rows.append(("peak memory, max RSS (bot side)", f"{rss:.1f} MB", verdict(rss, TARGETS["memory_mb"], higher=False)))
    rows.append(("peak memory, max RSS (fake server)", f"{max(r['fake_rss_mb'] for r in runs):.1f} MB", "separate process"))

    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows if not r[0].startswith("  "))
    print(f"reminders bench: {args.subs:,} subscriptions, SQLite WAL, fake Bot API on 127.0.0.1")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:<{value_width}}  {note}".rstrip())
    return 0 if ok or not args.strict else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subs", type=int, default=100_000)
    parser.add_argument("--ticks", type=int, default=120, help="30 s ticks timed for the due query")
    parser.add_argument("--limited", type=int, default=300, help="messages sent with the rate limiter on")
    parser.add_argument("--unlimited", type=int, default=5000, help="messages sent with it off")
    parser.add_argument("--httpx", type=int, default=1000, help="messages sent on PTB's httpx backend (0: skip)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--chats", default="1-1", help=argparse.SUPPRESS)
    parser.add_argument("--flood", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fake:
        first, last = (int(n) for n in args.chats.split("-"))
        serve_fake(first, last, args.flood)
        return 0
    if args.limited < 1 or args.unlimited < 1 or args.httpx < 0 or args.limited + args.unlimited + args.httpx > args.subs:
        parser.error("--limited and --unlimited must be at least 1, and the three runs together at most --subs")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
