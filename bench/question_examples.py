"""Questions people wrote blind, as examples for the answer engine (content/question_examples.tsv).

    python bench/question_examples.py --write   # rebuild the file from the blind sets' dev parts
    python bench/question_examples.py --cv      # does it generalise? leave one set out

The examples are the messages of the development parts of tests/data/answers_blind*.tsv: the
in-scope questions that name one topic, labelled with it, and the others labelled `any` (in scope,
no single topic) or `none` (off-topic). The held parts never go in (a test checks), so they still say how the engine
does on questions nobody tuned on.

Sets 1-20 give all their development messages. The later sets (LATER_SETS) give only the ones the
engine answers wrongly with the examples so far, in two passes: every example is searched on every
answer, and all of them cost 30 % of the answer time for about the gain the missed ones bring
(measured with sets 21-43, on the sets kept aside from every part of the work: +19 in scope with
all 3500, +18 with the 434 missed; sets 45-47 added 93 more).

--cv answers whether examples from some writers help on questions from another: for each blind
set, an engine with the examples of the OTHER sets only answers that set's development part,
beside an engine with no examples at all.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flag_examples import kept_aside, key  # noqa: E402  (its texts kept aside cover these sets too)
from flag_examples import read as read_set  # noqa: E402

from bot.core.answers import AnswerEngine  # noqa: E402

DATA = ROOT / "tests" / "data"
CONTENT = ROOT / "content"
TARGET = CONTENT / "question_examples.tsv"
SETS = {name: DATA / f"answers_blind{name if name != '1' else ''}.tsv" for name in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13", "14", "16", "18", "20")}
# Development parts added only where the engine with the examples so far gets them wrong.
LATER_SETS = {name: DATA / f"answers_blind{name}.tsv" for name in ("21", "23", "25", "26", "28", "29", "31", "33", "34", "36", "37", "38", "39", "41", "42", "43", "45", "46", "47", "49", "50", "51", "53", "54", "55", "57", "58", "59")}
MISS_PASSES = 2
HEADER = """\
# Examples for the answer engine (bot/core/answers.py): in-scope questions written blind by
# helpers who never saw this content, from the development parts of tests/data/answers_blind*.tsv
# (sets 1-20 whole; of later sets, the messages the engine got wrong without them), each labelled
# with the topic its writer expected. Read like a typed message (typos fixed), they
# join their topic's own example questions. `none`: a message about something else; `any`: one we
# answer that names no single topic (bot/core/off_topic.py reads both). The held parts are NOT
# here: they measure how this generalises. Rebuilt by `python bench/question_examples.py --write`;
# do not edit by hand.
"""


def examples_from(names: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen = set(kept_aside())
    for name in names:
        for row in read_set(SETS[name]):
            if not row["split"].startswith("dev"):
                continue
            k = key(row["text"])
            if k not in seen:
                seen.add(k)
                out.append(_example(row))
    return out


def with_misses(examples: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`examples` and, from LATER_SETS' development parts, the messages an engine with the examples
    so far answers wrongly; MISS_PASSES passes, each with the examples the last one added."""
    seen = set(kept_aside()) | {key(text) for _, text in examples}
    added: list[tuple[str, str]] = []
    for _ in range(MISS_PASSES):
        eng = engine(examples + added)
        for path in LATER_SETS.values():
            for row in read_set(path):
                k = key(row["text"])
                if row["split"].startswith("dev") and k not in seen and not right(eng, row):
                    seen.add(k)
                    added.append(_example(row))
    return examples + added


def _example(row: dict[str, str]) -> tuple[str, str]:
    """A blind row as an example: its label and its text on one line."""
    return _label(row), " ".join(row["text"].split())


def _label(row: dict[str, str]) -> str:
    """The topic; `none` for a message about something else; `any` for one we answer that names
    no single topic (two questions, or two right answers): only the off-topic vote reads those."""
    if row["kind"] == "off":
        return "none"
    if row["kind"] == "two" or "|" in row["expected"]:
        return "any"
    return row["expected"].strip()


def write(examples: list[tuple[str, str]]) -> None:
    with TARGET.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        fh.write("label\ttext\n")
        for label, text in examples:
            fh.write(f"{label}\t{text}\n")


def engine(examples: list[tuple[str, str]]) -> AnswerEngine:
    return AnswerEngine.from_dir(CONTENT, question_examples=examples)


def right(eng: AnswerEngine, row: dict[str, str]) -> bool:
    reply = eng.answer(row["text"])
    if row["kind"] == "off":
        return reply.kind != "answer" or reply.declined
    if reply.kind != "answer":
        return False
    if row["kind"] == "two":
        return all(t in reply.topics for t in row["expected"].split("+"))
    return reply.topics[0] in row["expected"].split("|")


def cross_validate() -> None:
    bare = engine([])
    totals = {"bare": [0, 0], "examples": [0, 0]}
    print(f"{'set':4} {'kind':7} {'no examples':>14} {'other sets':>14}")
    for name in SETS:
        rows = [r for r in read_set(SETS[name]) if r["split"].startswith("dev")]
        own = {key(r["text"]) for r in rows}  # a question two writers both wrote counts once, as this set's
        others = [(label, text) for label, text in examples_from([n for n in SETS if n != name]) if key(text) not in own]
        eng = engine(others)
        for kind in ("answer", "two", "off"):
            part = [r for r in rows if r["kind"] == kind]
            a = sum(right(bare, r) for r in part)
            b = sum(right(eng, r) for r in part)
            print(f"{name:4} {kind:7} {a:>6}/{len(part):<4} {100 * a / len(part):5.1f}%"
                  f" {b:>6}/{len(part):<4} {100 * b / len(part):5.1f}%   ({len(others)} examples)")
            if kind == "answer":
                totals["bare"][0] += a
                totals["examples"][0] += b
                totals["bare"][1] += len(part)
                totals["examples"][1] += len(part)
    for k, (a, n) in totals.items():
        print(f"in-scope, all sets, {k:9}: {100 * a / n:5.1f} % ({a}/{n})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"rewrite {TARGET.relative_to(ROOT)}")
    parser.add_argument("--cv", action="store_true", help="leave-one-set-out comparison")
    args = parser.parse_args(argv)
    if args.write:
        examples = with_misses(examples_from(list(SETS)))
        write(examples)
        print(f"wrote {len(examples)} examples to {TARGET.relative_to(ROOT)}")
    if args.cv:
        cross_validate()
    if not (args.write or args.cv):
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
