"""Quality and speed of the free-text engine on the labelled set (tests/data/questions.tsv)
and on the blind set tests/data/answers_blind.tsv (written by people who never saw the content).

    python bench/answers.py                 # all rows
    python bench/answers.py --split dev     # only the development rows
    python bench/answers.py --split held --reps 50
    python bench/answers.py --misses dev    # also list the blind set's dev misses (never held)

Prints in-scope top-1 accuracy, out-of-scope rejection, urgent recall (and how often the
emergency / same-day level is right), small-talk accuracy, median and p99 answer time, and
every miss. Exit code 1 if a target is missed (with --strict).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.answers import AnswerEngine, Reply  # noqa: E402

DATA = ROOT / "tests" / "data" / "questions.tsv"
BLIND = tuple(ROOT / "tests" / "data" / f"answers_blind{n}.tsv" for n in ("", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18", "20", "21", "22", "23", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54", "55", "56", "57", "58", "59"))
# In-scope top-1 on the part used for development / kept aside. Set 11 ("final") was written after
# all tuning and is kept aside whole: it is scored against the held target.
BLIND_TARGETS = {"dev": 0.95, "held": 0.92, "final": 0.92}
TARGETS = {"in_scope": 0.95, "rejected": 0.90, "urgent": 1.0}


@dataclass(frozen=True)
class Row:
    split: str
    kind: str
    expected: tuple[str, ...]
    text: str


def load_rows(path: Path = DATA, split: str = "all") -> list[Row]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = [
            Row(r["split"].strip(), r["kind"].strip(), tuple(e.strip() for e in r["expected"].split(",")), r["text"])
            for r in reader
        ]
    return [r for r in rows if split == "all" or r.split == split]


@dataclass
class Scores:
    in_scope: int = 0
    in_scope_ok: int = 0
    clarify_first_ok: int = 0
    clarify_any: int = 0
    out_scope: int = 0
    rejected: int = 0
    urgent: int = 0
    urgent_ok: int = 0
    level_ok: int = 0
    smalltalk: int = 0
    smalltalk_ok: int = 0


def judge(row: Row, reply: Reply) -> bool:
    if row.kind == "answer":
        return reply.kind == "answer" and reply.topics[0] in row.expected
    if row.kind == "urgent":
        return reply.kind == "urgent" and reply.level in row.expected
    if row.kind == "no_match":
        return reply.kind == "no_match"
    if row.kind == "smalltalk":
        return reply.kind == "smalltalk" and reply.level in row.expected
    if row.kind == "check":  # a safety question is expected first (e.g. a plain fall)
        return reply.kind == "check" and reply.check in row.expected
    raise ValueError(f"unknown kind {row.kind!r}")


def evaluate(engine: AnswerEngine, rows: list[Row]) -> tuple[Scores, list[tuple[Row, Reply]]]:
    s = Scores()
    misses = []
    for row in rows:
        reply = engine.answer(row.text)
        if row.kind == "answer":
            s.in_scope += 1
            s.in_scope_ok += reply.kind == "answer" and reply.topics[0] in row.expected
            if reply.kind == "clarify":
                s.clarify_any += 1
                s.clarify_first_ok += reply.topics[0] in row.expected
        elif row.kind == "urgent":
            s.urgent += 1
            s.urgent_ok += reply.kind == "urgent"
            s.level_ok += reply.kind == "urgent" and reply.level in row.expected
        elif row.kind == "no_match":
            s.out_scope += 1
            s.rejected += reply.kind == "no_match"
        elif row.kind == "smalltalk":
            s.smalltalk += 1
            s.smalltalk_ok += reply.kind == "smalltalk" and reply.level in row.expected
        if not judge(row, reply):
            misses.append((row, reply))
    return s, misses


def timings(engine: AnswerEngine, rows: list[Row], reps: int) -> list[float]:
    """Answer times in milliseconds, every row `reps` times (warm caches, like a running bot)."""
    out = []
    for _ in range(reps):
        for row in rows:
            t0 = time.perf_counter_ns()
            engine.answer(row.text)
            out.append((time.perf_counter_ns() - t0) / 1e6)
    return out


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f} % ({a}/{b})" if b else "  n/a"


@dataclass
class BlindScores:
    answer: int = 0
    answer_ok: int = 0
    clarify: int = 0
    off: int = 0
    declined: int = 0
    two: int = 0
    both: int = 0
    times: list[float] = field(default_factory=list)


def blind_judge(kind: str, expected: str, reply: Reply) -> bool:
    """answer: the first topic is one of "a|b"; two: every topic of "a+b" is answered; off: declined.

    An urgent reply is right for a question whose writer expected the matching urgent topic ("back
    spasm and I can't pee, do I call 999?" expected Emergency signs and gets the emergency reply,
    which says the same, first); for any other topic it is a miss."""
    if kind == "off":
        return reply.kind in ("no_match", "smalltalk")
    if kind == "answer":
        return reply.kind in ("answer", "urgent") and reply.topics[0] in expected.split("|")
    return reply.kind == "answer" and all(t in reply.topics for t in expected.split("+"))


def blind_report(engine: AnswerEngine, path: Path, misses_split: str | None) -> None:
    """In-scope top-1, off-topic declined, both topics of two-question messages, "Did you mean"
    rate and answer time, for each part of the blind set."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    print(f"\nblind set {path.name}: {len(rows)} rows")
    for split in ("dev", "held", "final"):
        s = BlindScores()
        missed = []
        part = [r for r in rows if r["split"].rstrip("0123456789") == split]  # set 3: dev3 / held3
        if not part:
            continue
        for r in part:
            t0 = time.perf_counter_ns()
            reply = engine.answer(r["text"])
            s.times.append((time.perf_counter_ns() - t0) / 1e6)
            ok = blind_judge(r["kind"], r["expected"], reply)
            if r["kind"] == "answer":
                s.answer += 1
                s.answer_ok += ok
                s.clarify += reply.kind == "clarify"
            elif r["kind"] == "off":
                s.off += 1
                s.declined += ok
            else:
                s.two += 1
                s.both += ok
            if not ok:
                missed.append((r, reply))
        times = sorted(s.times)
        target = BLIND_TARGETS[split]
        print(
            f"[{split}] in-scope top-1 {pct(s.answer_ok, s.answer)} (target >= {target:.0%})   "
            f"off-topic declined {pct(s.declined, s.off)}   two questions, both answered {pct(s.both, s.two)}   "
            f"did-you-mean {pct(s.clarify, s.answer)}   time median {statistics.median(times):.2f} ms "
            f"p99 {times[int(0.99 * (len(times) - 1))]:.2f} ms"
        )
        if split == misses_split:
            for r, reply in missed:
                print(f"  {r['kind']:6} {r['expected']:34} got {reply.kind:9} {','.join(reply.topics):34} | {r['text']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("dev", "held", "all"), default="all")
    parser.add_argument("--reps", type=int, default=30, help="timing repetitions per question")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--content", type=Path, default=None, help="content directory")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--misses", choices=("dev",), default=None, help="list the blind set's misses (dev only)")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    engine = AnswerEngine.from_dir(args.content)
    build_ms = (time.perf_counter() - t0) * 1000
    rows = load_rows(args.data, args.split)
    s, misses = evaluate(engine, rows)
    times = sorted(timings(engine, rows, args.reps))
    long_text = ("my lower back has been tight since I moved house last week. " * 90)[:5000]
    long_times = sorted(timings(engine, [Row("", "answer", (), long_text)], 200))

    print(f"split: {args.split}   rows: {len(rows)}   engine build: {build_ms:.0f} ms")
    print(f"in-scope top-1 accuracy : {pct(s.in_scope_ok, s.in_scope)}   target >= 95 %")
    print(f"  clarify replies       : {s.clarify_any} (first candidate right: {s.clarify_first_ok}; counted as misses)")
    print(f"out-of-scope rejected   : {pct(s.rejected, s.out_scope)}   target >= 90 %")
    print(f"urgent recall           : {pct(s.urgent_ok, s.urgent)}   target 100 %")
    print(f"  level right           : {pct(s.level_ok, s.urgent)}   (emergency vs same_day)")
    print(f"small talk right        : {pct(s.smalltalk_ok, s.smalltalk)}")
    print(
        f"answer time             : median {statistics.median(times):.3f} ms   "
        f"p99 {times[int(0.99 * (len(times) - 1))]:.3f} ms   over {len(times)} answers"
    )
    print(f"5000-char message       : median {statistics.median(long_times):.3f} ms")
    if misses:
        print(f"\nmisses ({len(misses)}):")
        for row, reply in misses:
            got = reply.kind + (f":{reply.level}" if reply.level else "") + (f" {','.join(reply.topics)}" if reply.topics else "")
            print(f"  [{row.split}] {row.kind}:{'/'.join(row.expected):<34} got {got:<40} | {row.text}")

    for path in BLIND:
        blind_report(engine, path, args.misses)

    ok = (
        (not s.in_scope or s.in_scope_ok / s.in_scope >= TARGETS["in_scope"])
        and (not s.out_scope or s.rejected / s.out_scope >= TARGETS["rejected"])
        and (not s.urgent or s.urgent_ok / s.urgent >= TARGETS["urgent"])
    )
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
