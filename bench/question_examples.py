"""Questions people wrote blind, as examples for the answer engine (content/question_examples.tsv).

    python bench/question_examples.py --write   # rebuild the file from the blind sets' dev parts
    python bench/question_examples.py --cv      # does it generalise? leave one set out

The examples are the in-scope questions of the development parts of tests/data/answers_blind*.tsv
that name one topic. The held parts never go in (a test checks), so they still say how the engine
does on questions nobody tuned on.

--cv answers whether examples from some writers help on questions from another: for each blind
set, an engine with the examples of the OTHER sets only answers that set's development part,
beside an engine with no examples at all.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.answers import AnswerEngine  # noqa: E402
from bot.core.content import load_content  # noqa: E402
from bot.core.flag_examples import read_examples  # noqa: E402
from bot.core.redflags import load_redflags  # noqa: E402
from bot.core.text import load_lexicon, read_word_list  # noqa: E402

DATA = ROOT / "tests" / "data"
CONTENT = ROOT / "content"
TARGET = CONTENT / "question_examples.tsv"
SETS = {name: DATA / f"answers_blind{name if name != '1' else ''}.tsv" for name in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")}
HEADER = """\
# Examples for the answer engine (bot/core/answers.py): in-scope questions written blind by
# helpers who never saw this content, from the development parts of tests/data/answers_blind*.tsv,
# each labelled with the topic its writer expected. Read like a typed message (typos fixed), they
# join their topic's own example questions. The held parts are NOT here: they measure how this
# generalises. Rebuilt by `python bench/question_examples.py --write`; do not edit by hand.
"""


def read_set(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def kept_aside() -> set[str]:
    """Texts of every held part (blind sets and the labelled set): helpers sometimes wrote the
    same short question twice ("ice or heat"), and such a text must not become an example."""
    sets = [*SETS.values(), DATA / "answers_blind11.tsv"]  # set 11 is kept aside whole ("final11")
    held = {_key(r["text"]) for path in sets for r in read_set(path) if r["split"].startswith(("held", "final"))}
    return held | {_key(r["text"]) for r in read_set(DATA / "questions.tsv") if r["split"] == "held"}


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def examples_from(names: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen = kept_aside()
    for name in names:
        for row in read_set(SETS[name]):
            if not row["split"].startswith("dev") or row["kind"] != "answer" or "|" in row["expected"]:
                continue
            key = _key(row["text"])
            if key not in seen:
                seen.add(key)
                out.append((row["expected"].strip(), " ".join(row["text"].split())))
    return out


def write(examples: list[tuple[str, str]]) -> None:
    with TARGET.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        fh.write("label\ttext\n")
        for label, text in examples:
            fh.write(f"{label}\t{text}\n")


def engine(examples: list[tuple[str, str]]) -> AnswerEngine:
    content = load_content(CONTENT)
    return AnswerEngine(
        content, load_lexicon(CONTENT / "lexicon.toml"), load_redflags(CONTENT / "redflags.toml"),
        flag_examples=read_examples(CONTENT / "redflag_examples.tsv"),
        real_words=read_word_list(CONTENT / "english_words.txt"),
        question_examples=examples,
    )


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
        own = {_key(r["text"]) for r in rows}  # a question two writers both wrote counts once, as this set's
        others = [(label, text) for label, text in examples_from([n for n in SETS if n != name]) if _key(text) not in own]
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
        examples = examples_from(list(SETS))
        write(examples)
        print(f"wrote {len(examples)} examples to {TARGET.relative_to(ROOT)}")
    if args.cv:
        cross_validate()
    if not (args.write or args.cv):
        parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
