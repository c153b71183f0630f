"""End to end through the fake Bot API: our bot against a bare python-telegram-bot echo bot.

    python bench/e2e.py              # the full run (about 3.5 minutes on 2 cores)
    python bench/e2e.py --quick      # 3 s windows, about 1.5 minutes
    python bench/e2e.py --users 1,50 --latency 0,50 --window 10
    python bench/e2e.py --repeat 2   # two rounds pooled, for a machine shared with other work

Each bot runs as its own process, started the way an operator starts it: ours is the
`backspasm-bot` command (bot/app.py's build_application, run_polling, a fresh temporary SQLite
file per run, settings from the environment, TELEGRAM_RATE_LIMIT=0 since the fake server sets
no flood limit here). Under load it is that command's main run from this file (--our-bot) with
the per-chat flood gate opened wide: a user without think time sends hundreds of updates a
second, which the shipped gate answers with one "slow down" and then silence; the wide gate
still runs for every message. The idle start-up and memory runs use the command itself. The bare bot is an Application with one
MessageHandler that replies with the text and one CallbackQueryHandler that answers. This process
runs the fake Bot API server (bot.sandbox, a fresh one per run) and the simulated users, so the
bot under test has a core of its own on a 2-core machine.

Workload: every simulated user replays the same script in a loop, in a private chat:
/start, a menu tap, a topic tap, Back, /menu, a typed question, a Related tap, another typed
question, /help. The callback data of the taps are recorded once from our bot (a discovery pass
with one user) and then replayed as they are to both bots, so both get the same updates (the bare
bot just answers the taps). Users are closed loops without think time: a user sends its next
update as soon as the bot has finished with the previous one. The API latency is injected by the
fake server on every request, getUpdates included (inject_delay with deliver=True).

Reply latency: from the update entering the fake server's queue until the bot has done everything
it does for it (the messages sent or edited and the callback query answered that discovery saw;
chat actions do not count). Updates per second: those finished inside the measuring window.
Latencies are those of the updates sent in the window; the users go on until all of them are
answered, for at most another window; any still unanswered then count with their age so far, and
a percentile they could move is printed as a lower bound (">=").

Start-up: from spawning the process to its first getUpdates reaching the fake server (imports,
settings, database, the API calls before polling). Peak RSS: VmHWM of the bot process from
/proc, idle (3 s after start-up) and, for our bot, with 100 000 reminder subscriptions in its
database (inserted with the storage layer's schema, next slots scheduled two days ahead so the
dispatcher finds nothing due); under load: the peak at the end of each run.
Loopback only; every run is bounded by its window.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TOKEN = "123456789:BENCH-e2e-fake-telegram-token-xxxx"
ALLOWED = ["message", "callback_query", "my_chat_member"]
FIRST_CHAT = 70_001
NO_LIMITER = False  # --no-limiter
QUESTIONS = ("my back seized up after golf", "should I put heat or ice on my lower back")
TARGETS = "targets (issue 12): 0 ms p50 ratio <= 1.3 and throughput >= 70 % of bare; " \
          "50 ms, 50 users: >= 10x bare's updates/s and p50 < 200 ms; start-up < 1.5 s; RSS < 120 MB with 100k subs"


# --- the bare bot (child process) ---------------------------------------------------------------


def run_bare_bot(base_url: str) -> None:
    from telegram import Update
    from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer()

    app = Application.builder().token(TOKEN).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(answer))
    app.run_polling(allowed_updates=ALLOWED)


def run_our_bot(unlimited: bool) -> int:
    """Our bot exactly as the `backspasm-bot` command runs it, but with its flood gate opened wide
    (a FloodGate that still runs for every message but never trips): the simulated users send
    their next update the moment the last is answered, hundreds a second from one chat, which the
    shipped gate rightly answers with one "slow down" and silence. `unlimited` also builds it with
    rate_limiter=False (--no-limiter, for as long as bot/app.py has no TELEGRAM_RATE_LIMIT setting)."""
    import functools

    import bot.app
    from bot.__main__ import main
    from bot.core.flood import FloodGate

    extra: dict = {"rate_limiter": False} if unlimited else {}
    bot.app.build_application = functools.partial(bot.app.build_application, flood_gate=FloodGate(burst=10**9), **extra)
    return main(["run"])


# --- bot processes ------------------------------------------------------------------------------


def rate_limit_setting() -> bool:
    from bot.config import Settings

    return "telegram_rate_limit" in Settings.model_fields


def our_command() -> list[str]:
    script = Path(sys.executable).parent / "backspasm-bot"
    found = str(script) if script.exists() else shutil.which("backspasm-bot")
    return [found] if found else [sys.executable, "-m", "bot"]


# Where our bot saves its built answer engine (ENGINE_CACHE_DIR), shared by every start of a run
# as it is by the restarts of a deployed bot; the first start (the discovery pass) builds it.
ENGINE_CACHE: Path | None = None


class BotProcess:
    """A bot in a child process; `rss()` reads its peak RSS while it runs."""

    def __init__(self, kind: str, base_url: str, workdir: Path, db_path: Path | None = None,
                 gate_open: bool = True):
        self.kind = kind
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_", "CONTENT_", "ENGINE_"))}
        if kind == "ours":
            args = our_command()  # idle runs: the command itself (no updates, so no flood)
            if gate_open:
                args = [sys.executable, __file__, "--our-bot"]
            if NO_LIMITER and not rate_limit_setting():
                args = [sys.executable, __file__, "--our-bot", "--our-bot-unlimited"]
            env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=base_url,
                       DATABASE_PATH=str(db_path or workdir / "bot.sqlite3"),
                       ENGINE_CACHE_DIR=str(ENGINE_CACHE) if ENGINE_CACHE else "")
            if rate_limit_setting():
                env["TELEGRAM_RATE_LIMIT"] = "0"  # the fake server enforces no limit here
        else:
            args = [sys.executable, __file__, "--bare-bot", base_url]
        self.log = open(workdir / f"{kind}.log", "w")
        self.started = time.perf_counter()
        # cwd: a folder without a .env, so no developer settings leak in.
        self.proc = subprocess.Popen(args, cwd=workdir, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def rss(self) -> float:
        """Peak resident memory so far, MB (VmHWM: getrusage would mix in other children)."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User + system CPU time the bot process has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, graceful: bool = True) -> None:
        if self.proc.poll() is None and not graceful:  # after a run: a backlog would take long
            self.proc.kill()
            self.proc.wait()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # run_polling stops on it
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:  # still working through a backlog of updates
                self.proc.kill()
                self.proc.wait()
        self.log.close()


# --- the fake server, the users and what they see ------------------------------------------------


@dataclass
class Step:
    kind: str  # "send" or "press"
    value: str  # the text, or the callback data
    expect: tuple[int, int, int]  # (sent, edited, answered) our bot did for it in discovery


@dataclass
class UserState:
    chat_id: int
    base: tuple[int, int, int] = (0, 0, 0)
    need: tuple[int, int, int] | None = None  # counts that finish the current step
    put_at: float = 0.0
    done: asyncio.Future | None = None
    counts: list[int] = field(default_factory=lambda: [0, 0, 0])
    by_data: dict[str, int] = field(default_factory=dict)  # callback data -> newest message with it
    last_message: int | None = None


class Watch:
    """Counts the bot's sends, edits and callback answers per chat (a FakeTelegram listener)."""

    def __init__(self) -> None:
        self.users: dict[int, UserState] = {}
        self.extra = 0  # actions nobody was waiting for (the bot did more than discovery saw)

    def __call__(self, event: str, payload) -> None:
        if event == "sent" or event == "edited":
            index = 0 if event == "sent" else 1
            user = self.users.get(payload.chat_id)
            if user is None:
                return
            user.last_message = payload.message_id
            for row in payload.buttons:
                for _text, data in row:
                    if data:
                        user.by_data[data] = payload.message_id
        elif event == "answered":
            index = 2
            user = self.users.get(payload.chat_id)
            if user is None:
                return
        else:
            return
        user.counts[index] += 1
        if user.need is None:
            self.extra += 1
            return
        if all(c >= n for c, n in zip(user.counts, user.need, strict=False)):
            user.need = None
            if user.done is not None and not user.done.done():
                user.done.set_result(time.perf_counter())


async def put(fake, user: UserState, step: Step, expect: tuple[int, int, int]) -> None:
    """Queue the step's update; user.done resolves with the time the bot finished with it."""
    sim = fake.user(user.chat_id)
    user.base = tuple(user.counts)
    user.need = tuple(b + e for b, e in zip(user.base, expect, strict=False))
    user.done = asyncio.get_running_loop().create_future()
    user.put_at = time.perf_counter()
    if step.kind == "send":
        await sim.send(step.value)
    else:
        target = user.by_data.get(step.value, user.last_message)
        await sim.press(target, step.value)


# --- discovery: the script, recorded from our bot -------------------------------------------------


async def discover(workdir: Path) -> list[list[Step]]:
    """Walk one user through the script twice against our bot; returns [first cycle, later cycles]
    with each tap's callback data and the actions our bot took for each step."""
    from bot.core.content import load_content
    from bot.sandbox.server import FakeTelegram

    labels = load_content().messages.buttons
    watch = Watch()
    cycles: list[list[Step]] = []
    async with FakeTelegram(token=TOKEN, record_calls=False) as fake:
        fake.add_listener(watch)
        bot = BotProcess("ours", fake.base_url, workdir, workdir / "discovery.sqlite3")
        try:
            await fake.wait_until(lambda: fake.polling, timeout=30, what="our bot's first getUpdates")
            sim = fake.user(FIRST_CHAT - 1)
            user = watch.users[sim.chat_id] = UserState(sim.chat_id)
            user.need = (10**9,) * 3  # never finishes: discovery reads the counts itself

            async def do(kind: str, value: str) -> Step:
                before = tuple(user.counts)
                if kind == "send":
                    await sim.send(value)
                else:
                    await sim.press(user.by_data.get(value, user.last_message), value)
                await fake.wait_until(lambda: tuple(user.counts) != before, timeout=10, what=f"a reply to {value!r}")
                while True:  # until the bot has been quiet for a while
                    seen = tuple(user.counts)
                    await asyncio.sleep(0.25)
                    if tuple(user.counts) == seen:
                        break
                return Step(kind, value, tuple(a - b for a, b in zip(user.counts, before, strict=False)))

            def button(label: str | None = None, prefix: str | None = None) -> str:
                message = sim.last
                for row in message.buttons:
                    for text, data in row:
                        if data and (text == label or (prefix and data.startswith(prefix))):
                            return data
                raise LookupError(f"no button {label or prefix!r} in {message.button_texts}")

            for _cycle in range(2):
                steps = [await do("send", "/start")]
                steps.append(await do("press", button("Causes")))
                steps.append(await do("press", sim.last.buttons[0][0][1]))  # the first topic
                steps.append(await do("press", button(labels.back)))
                steps.append(await do("send", "/menu"))
                steps.append(await do("send", QUESTIONS[0]))
                steps.append(await do("press", button(prefix="t:")))  # a Related topic
                steps.append(await do("send", QUESTIONS[1]))
                steps.append(await do("send", "/help"))
                cycles.append(steps)
            if fake.violations:
                raise RuntimeError(f"our bot broke Telegram's rules in discovery: {fake.violations[:3]}")
        finally:
            bot.stop()
    return cycles


# --- one run: one bot, a number of users, a latency -------------------------------------------


@dataclass
class RunResult:
    kind: str
    users: int
    latency_ms: int
    latencies: list[float]
    censored: list[float]
    done: int
    window: float
    startup: float
    rss: float
    violations: int
    extra: int
    server_cpu: float
    bot_cpu: float
    violation_kinds: list[str]
    p50_by_kind: dict[str, float]  # answered updates only

    @property
    def rate(self) -> float:
        return self.done / self.window

    def percentile(self, q: float) -> tuple[float, bool]:
        """The q-th percentile (seconds) and whether it is only a lower bound: computed with the
        unanswered updates at their age so far, and again with them never answered; if the second
        is more than 25 % above the first (or infinite), the first is only a lower bound."""
        answered = sorted(self.latencies)
        low = sorted(answered + self.censored)
        if not low:
            return float("nan"), True
        rank = min(len(low) - 1, int(q / 100 * len(low)))
        value = low[rank]
        high = answered[rank] if rank < len(answered) else float("inf")
        return value, high > value * 1.25


def pooled(found: list[RunResult]) -> RunResult:
    """Several runs of one row as one: all their latencies, their windows end to end."""
    first = found[0]
    if len(found) == 1:
        return first
    return RunResult(
        first.kind, first.users, first.latency_ms,
        [x for r in found for x in r.latencies], [x for r in found for x in r.censored],
        sum(r.done for r in found), sum(r.window for r in found),
        statistics.median(r.startup for r in found), max(r.rss for r in found),
        sum(r.violations for r in found), sum(r.extra for r in found),
        statistics.mean(r.server_cpu for r in found), statistics.mean(r.bot_cpu for r in found),
        sorted({k for r in found for k in r.violation_kinds}), {},
    )


def note_first_poll(fake) -> list[float]:
    """A list that gets the perf_counter time of the bot's first getUpdates."""
    first_poll: list[float] = []
    original_get = fake.updates.get

    async def get(*args, **kwargs):
        if not first_poll:
            first_poll.append(time.perf_counter())
        return await original_get(*args, **kwargs)

    fake.updates.get = get
    return first_poll


async def run_once(kind: str, users: int, latency_ms: int, script: list[list[Step]],
                   warmup: float, window: float, workdir: Path) -> RunResult:
    from bot.sandbox.server import FakeTelegram

    watch = Watch()
    rng = random.Random(users * 1000 + latency_ms)
    async with FakeTelegram(token=TOKEN, record_calls=False) as fake:
        fake.add_listener(watch)
        if latency_ms:
            fake.inject_delay("*", latency_ms / 1000, times=10**12, deliver=True)
        first_poll = note_first_poll(fake)
        for n in range(users):
            chat = FIRST_CHAT + n
            fake.user(chat, f"User{n}")
            watch.users[chat] = UserState(chat)
        rundir = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=workdir))
        bot = BotProcess(kind, fake.base_url, rundir)
        try:
            await fake.wait_until(lambda: bool(first_poll), timeout=60, what=f"the {kind} bot's first getUpdates")
            startup = first_poll[0] - bot.started
            began = time.perf_counter()
            window_start, window_end = began + warmup, began + warmup + window
            latencies: list[float] = []
            by_kind: dict[str, list[float]] = {"send": [], "press": []}
            inflight: dict[int, float] = {}  # chat -> when its sampled update was queued
            drained = asyncio.Event()
            finished = 0
            cpu_before, bot_cpu_before = os.times(), bot.cpu_seconds()

            async def person(user: UserState, delay: float) -> None:
                nonlocal finished
                await asyncio.sleep(delay)
                cycle = 0
                while True:
                    for step in script[min(cycle, 1)]:
                        expect = step.expect if kind == "ours" else ((1, 0, 0) if step.kind == "send" else (0, 0, 1))
                        await put(fake, user, step, expect)
                        put_at = user.put_at
                        sampled = window_start <= put_at < window_end
                        if sampled:
                            inflight[user.chat_id] = put_at
                        ended = await user.done
                        if sampled:
                            latencies.append(ended - put_at)
                            by_kind[step.kind].append(ended - put_at)
                            del inflight[user.chat_id]
                            if not inflight and ended >= window_end:
                                drained.set()
                        if window_start <= ended <= window_end:
                            finished += 1
                    cycle += 1

            stagger = min(1.0, warmup / 2)
            tasks = [asyncio.create_task(person(u, rng.uniform(0, stagger) if users > 1 else 0.0))
                     for u in watch.users.values()]
            await asyncio.sleep(window_end - time.perf_counter())
            cpu_after, bot_cpu_after = os.times(), bot.cpu_seconds()
            # The users go on (the load stays) until every update sent in the window is answered,
            # for at most another window; those still unanswered then count with their age.
            if inflight:
                try:
                    await asyncio.wait_for(drained.wait(), window)
                except TimeoutError:
                    pass
            stopped = time.perf_counter()
            censored = [stopped - put_at for put_at in inflight.values()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            measured = window_end - began  # the CPU counters were read at `began`
            cpu = (cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system) / measured
            bot_cpu = (bot_cpu_after - bot_cpu_before) / measured
            rss = bot.rss()
        finally:
            bot.stop(graceful=False)
            shutil.rmtree(rundir, ignore_errors=True)
        return RunResult(kind, users, latency_ms, latencies, censored, finished, window, startup, rss,
                         len(fake.violations), watch.extra, cpu, bot_cpu,
                         sorted({v.description for v in fake.violations}),
                         {k: statistics.median(v) for k, v in by_kind.items() if v})


# --- idle start-up and memory -------------------------------------------------------------------


async def fill_subscriptions(db_path: Path, count: int) -> None:
    """`count` users with one active reminder each, the storage layer's own schema and
    next-slot computation, scheduled from two days ahead (nothing due while we measure)."""
    from bot.storage import subscriptions
    from bot.storage.db import close_db, open_db

    rng = random.Random(12)
    zones = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "Asia/Tokyo", "UTC"]
    now = datetime.now(timezone.utc)
    stamp = int(now.timestamp())
    users, rows = [], []
    for chat in range(1, count + 1):
        users.append((chat, chat, rng.choice(zones), stamp, stamp))
        if rng.random() < 0.6:
            at = f"{rng.randrange(6, 22):02d}:{rng.randrange(60):02d}"
            rows.append((chat, "stretching", at, 4, "09:00", "19:00", stamp, stamp))
        else:
            rows.append((chat, "hydration", "09:00", rng.randrange(2, 7), "08:00", "20:00", stamp, stamp))
    db = await open_db(db_path)
    try:
        await db.execute("BEGIN IMMEDIATE")
        await db.executemany("INSERT INTO users (chat_id, user_id, zone, created_at, updated_at) VALUES (?, ?, ?, ?, ?)", users)
        await db.executemany(
            "INSERT INTO subscriptions (chat_id, kind, active, at_time, per_day, start_time, end_time, created_at, updated_at) "
            "VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)", rows)
        await db.execute("COMMIT")
        await subscriptions.schedule_all(db, now + timedelta(days=2))
    finally:
        await close_db(db)


async def idle(kind: str, workdir: Path, db_path: Path | None = None, settle: float = 3.0) -> tuple[float, float]:
    """Start-up time to the first getUpdates and peak RSS after `settle` idle seconds."""
    from bot.sandbox.server import FakeTelegram

    async with FakeTelegram(token=TOKEN, record_calls=False) as fake:
        first_poll = note_first_poll(fake)
        rundir = Path(tempfile.mkdtemp(prefix=f"idle-{kind}-", dir=workdir))
        bot = BotProcess(kind, fake.base_url, rundir, db_path, gate_open=False)
        try:
            await fake.wait_until(lambda: bool(first_poll), timeout=60, what=f"the {kind} bot's first getUpdates")
            startup = first_poll[0] - bot.started
            await asyncio.sleep(settle)  # the dispatcher's first tick comes 1 s after start
            if bot.proc.poll() is not None:
                raise RuntimeError(f"the {kind} bot exited: see {rundir}")
            rss = bot.rss()
        finally:
            bot.stop()
    return startup, rss


# --- the table ----------------------------------------------------------------------------------


def fmt_latency(value: tuple[float, bool]) -> str:
    seconds, bound = value
    if seconds != seconds:  # nan: nothing answered
        return "-"
    if seconds < 0.01:
        text = f"{seconds * 1000:.1f} ms"
    elif seconds < 10:
        text = f"{seconds * 1000:.0f} ms"
    else:
        text = f"{seconds:.1f} s"
    return (">=" if bound else "") + text


def machine() -> str:
    """CPU model and cores, Python, python-telegram-bot, the commit measured, the date."""
    import telegram

    model = "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name:")), model)
    except OSError:
        pass

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    commit = (git("rev-parse", "--short", "HEAD") or "?") + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")
    return (f"{model}, {os.cpu_count()} cores; Python {platform.python_version()}, python-telegram-bot "
            f"{telegram.__version__}; commit {commit}; {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")


async def main_async(args: argparse.Namespace) -> int:
    import logging

    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)  # a bot killed mid-request is expected
    user_counts = [int(n) for n in args.users.split(",")]
    latencies = [int(n) for n in args.latency.split(",")]
    if rate_limit_setting():
        limiter_note = "TELEGRAM_RATE_LIMIT=0 for our bot (limiter off)"
    elif NO_LIMITER:
        limiter_note = "built with rate_limiter=False (--no-limiter; there is no TELEGRAM_RATE_LIMIT setting yet)"
    else:
        limiter_note = ("our bot keeps its always-on 30/s AIORateLimiter (no TELEGRAM_RATE_LIMIT setting yet), "
                        "which caps its throughput at about 30 API calls/s; --no-limiter lifts it")
    print(f"e2e bench: {machine()}", flush=True)
    load_before = os.getloadavg()
    command = ("bench/e2e.py --our-bot --our-bot-unlimited" if NO_LIMITER and not rate_limit_setting() else
               "bench/e2e.py --our-bot (the backspasm-bot command's main, flood gate opened wide)")
    print(f"our bot: {command}; {limiter_note}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        workdir = Path(tmp)
        global ENGINE_CACHE
        ENGINE_CACHE = workdir / "engine-cache"
        began = time.perf_counter()
        script = await discover(workdir)
        shape = ", ".join(f"{s.kind} {s.value[:14]!r}→{'/'.join(map(str, s.expect))}" for s in script[1])
        print(f"script (sent/edited/answered by our bot): {shape}", flush=True)

        runs: dict[tuple[str, int, int], list[RunResult]] = {}
        for _round in range(args.repeat):  # whole rounds, so a busy spell does not hit one row only
            for latency in latencies:
                for users in user_counts:
                    for kind in ("bare", "ours"):  # alternating, so drift hits both alike
                        r = await run_once(kind, users, latency, script, args.warmup, args.window, workdir)
                        runs.setdefault((kind, users, latency), []).append(r)
                        print(f"  {kind:4} {users:>3} users {latency:>2} ms: {r.rate:7.1f} upd/s, p50 "
                              f"{fmt_latency(r.percentile(50))}, p99 {fmt_latency(r.percentile(99))} "
                              f"(answered: p50 messages {fmt_latency((r.p50_by_kind.get('send', float('nan')), False))}, "
                              f"taps {fmt_latency((r.p50_by_kind.get('press', float('nan')), False))}), "
                              f"start-up {r.startup:.2f} s, RSS {r.rss:.0f} MB, CPU: bot {r.bot_cpu:.0%}, fake server + users {r.server_cpu:.0%}"
                              + (f", {r.violations} refused by the fake ({'; '.join(r.violation_kinds)[:120]})" if r.violations else "")
                              + (f", {r.extra} unexpected action(s)" if r.extra else ""), flush=True)

        results = {key: pooled(found) for key, found in runs.items()}
        idle_rows = []
        for kind in ("bare", "ours"):
            idles = [await idle(kind, workdir) for _ in range(args.starts)]
            idle_rows.append((kind, statistics.median(s for s, _ in idles), max(r for _, r in idles)))
        db_path = workdir / "subs.sqlite3"
        fill_began = time.perf_counter()
        await fill_subscriptions(db_path, args.subs)
        filled = time.perf_counter() - fill_began
        subs_startup, subs_rss = await idle("ours", workdir, db_path)
        saved_engine, ENGINE_CACHE = ENGINE_CACHE, workdir / "engine-cache-empty"
        cold_startup, cold_rss = await idle("ours", workdir)  # the very first start: nothing saved yet
        ENGINE_CACHE = saved_engine
        total = time.perf_counter() - began

    print()
    rounds = f"; {args.repeat} rounds pooled" if args.repeat > 1 else ""
    print(f"Reply latency and throughput ({args.window:g} s windows after {args.warmup:g} s warm-up{rounds}; "
          "closed-loop users, no think time)")
    header = ("latency", "users", "bare p50", "bare p99", "bare upd/s", "ours p50", "ours p99", "ours upd/s",
              "p50 ours/bare", "upd/s ours/bare")
    rows = []
    for latency in latencies:
        for users in user_counts:
            b, o = results["bare", users, latency], results["ours", users, latency]
            bp50, op50 = b.percentile(50), o.percentile(50)
            rows.append((f"{latency} ms", str(users), fmt_latency(bp50), fmt_latency(b.percentile(99)), f"{b.rate:.1f}",
                         fmt_latency(op50), fmt_latency(o.percentile(99)), f"{o.rate:.1f}",
                         f"{op50[0] / bp50[0]:.2f}" + ("*" if bp50[1] or op50[1] else ""),
                         f"{o.rate / b.rate:.2f}" if b.rate else "-"))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=False)))
    for row in rows:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=False)))
    if any("*" in r[8] for r in rows):
        print("* a p50 is a lower bound (updates still unanswered at the window's end), so is the ratio")
    print()
    print("Start-up and memory")
    for latency in latencies:
        for kind in ("bare", "ours"):
            starts = [r.startup for u in user_counts for r in runs[kind, u, latency]]
            peak = max(r.rss for u in user_counts for r in runs[kind, u, latency])
            print(f"  {kind:4} at {latency:>2} ms: start-up to first getUpdates median {statistics.median(starts):.2f} s "
                  f"(of {len(starts)}); peak RSS under load {peak:.0f} MB")
    for kind, startup, rss in idle_rows:
        print(f"  {kind:4} idle, 0 ms: start-up median {startup:.2f} s (of {args.starts}); peak RSS {rss:.0f} MB")
    print(f"  ours with {args.subs:,} reminder subscriptions (inserted in {filled:.1f} s): start-up {subs_startup:.2f} s; "
          f"peak RSS idle {subs_rss:.0f} MB")
    print(f"  ours idle, first start ever (no saved engine: it is built, then saved): start-up {cold_startup:.2f} s; "
          f"peak RSS {cold_rss:.0f} MB")
    print(TARGETS)
    load_after = os.getloadavg()
    print(f"whole run: {total:.0f} s; load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after"
          + (" (the bench itself adds about 2)" if load_before[0] < 1 else " -- other work was running: figures are noisy"))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s windows, 1 s warm-up, one idle start each")
    parser.add_argument("--users", default="1,50,500", help="simulated user counts, comma-separated")
    parser.add_argument("--latency", default="0,50", help="API latencies in ms, comma-separated")
    parser.add_argument("--window", type=float, default=None, help="measuring window per run, s (default 8)")
    parser.add_argument("--warmup", type=float, default=None, help="warm-up per run, s (default 2)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of all runs, pooled in the table (for a machine shared with other work)")
    parser.add_argument("--subs", type=int, default=100_000, help="reminder subscriptions for the memory run")
    parser.add_argument("--starts", type=int, default=None, help="idle start-ups per bot (default 3)")
    parser.add_argument("--no-limiter", action="store_true",
                        help="our bot without its rate limiter (only needed while there is no TELEGRAM_RATE_LIMIT setting)")
    parser.add_argument("--bare-bot", metavar="BASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--our-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--our-bot-unlimited", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.our_bot:
        return run_our_bot(args.our_bot_unlimited)
    global NO_LIMITER
    NO_LIMITER = args.no_limiter
    if args.bare_bot:
        run_bare_bot(args.bare_bot)
        return 0
    args.window = args.window or (3.0 if args.quick else 8.0)
    args.warmup = args.warmup if args.warmup is not None else (1.0 if args.quick else 2.0)
    args.starts = args.starts or (1 if args.quick else 3)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
