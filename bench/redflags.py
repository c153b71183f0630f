"""Red flags on the blind sets: per flag, how often the right urgent reply comes first.

    python bench/redflags.py                 # every set, both parts
    python bench/redflags.py --misses dev    # also list the misses of one set (never run on held
                                             # while tuning: its rows are kept aside)

Sets (tests/data/): redflags_blind_{dev,held,dev2,...,dev8}.tsv (messages describing a warning sign,
written blind), no_alarm_blind*.tsv (messages that must not alarm) and answers_blind.tsv
(ordinary questions, for the safety-question rate). For each set it prints:
- emergency recall: the emergency reply came first (safety question asked: shown apart);
- same-day recall: at least the same-day reply came first;
- caught: direct, or a safety question whose Yes gives that level;
- false alarms and safety questions on the must-not-alarm messages and on ordinary questions.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.answers import AnswerEngine, Reply  # noqa: E402

DATA = ROOT / "tests" / "data"
FLAG_SETS = {
    "dev": ("redflags_blind_dev.tsv", "no_alarm_blind.tsv", "dev"),
    "held": ("redflags_blind_held.tsv", "no_alarm_blind.tsv", "held"),
    "dev2": ("redflags_blind_dev2.tsv", "no_alarm_blind_dev2.tsv", "dev2"),
    "dev3": ("redflags_blind_dev3.tsv", "no_alarm_blind_dev3.tsv", "dev3"),
    "dev4": ("redflags_blind_dev4.tsv", "no_alarm_blind_dev4.tsv", "dev4"),
    "dev5": ("redflags_blind_dev5.tsv", "no_alarm_blind_dev5.tsv", "dev5"),
    "dev6": ("redflags_blind_dev6.tsv", "no_alarm_blind_dev6.tsv", "dev6"),
    "dev7": ("redflags_blind_dev7.tsv", "no_alarm_blind_dev7.tsv", "dev7"),
    "dev8": ("redflags_blind_dev8.tsv", "no_alarm_blind_dev8.tsv", "dev8"),
    # Round 9, written 2026-12-06 and scored once before any tuning on it; held2 is never read.
    "dev9": ("redflags_blind_dev9.tsv", "no_alarm_blind_dev9.tsv", "dev9"),
    "held2": ("redflags_blind_dev9.tsv", "no_alarm_blind_dev9.tsv", "held2"),
    # Round 10, written 2026-12-06 (fourth session) and scored once before any tuning on it.
    "dev10": ("redflags_blind_dev10.tsv", "no_alarm_blind_dev10.tsv", "dev10"),
    "held4": ("redflags_blind_dev10.tsv", "no_alarm_blind_dev10.tsv", "held4"),
    # Round 11, written after all tuning of 2026-12-06 and kept aside whole: scored once.
    "final11": ("redflags_blind_final11.tsv", "no_alarm_blind_final11.tsv", "final11"),
    # Round 12, written 2026-12-06 (fifth session) and scored once before any tuning on it.
    "dev12": ("redflags_blind_dev12.tsv", "no_alarm_blind_dev12.tsv", "dev12"),
    "held12": ("redflags_blind_dev12.tsv", "no_alarm_blind_dev12.tsv", "held12"),
    # Round 13, written 2026-12-06 (fifth session, after round 12's tuning); scored once before tuning.
    "dev13": ("redflags_blind_dev13.tsv", "no_alarm_blind_dev13.tsv", "dev13"),
    "held13": ("redflags_blind_dev13.tsv", "no_alarm_blind_dev13.tsv", "held13"),
    # Round 14, written at the end of the fifth session and kept aside whole: scored once.
    "final14": ("redflags_blind_final14.tsv", "no_alarm_blind_final14.tsv", "final14"),
    # Round 16 (sixth session: dictated messages, signs played down or buried, relatives, slang),
    # scored once before any tuning on it.
    "dev16": ("redflags_blind_dev16.tsv", "no_alarm_blind_dev16.tsv", "dev16"),
    "held16": ("redflags_blind_dev16.tsv", "no_alarm_blind_dev16.tsv", "held16"),
    # Round 18 (sixth session: very short, buried among other symptoms, people's own metaphors,
    # relatives and older people), scored once before any tuning on it.
    "dev18": ("redflags_blind_dev18.tsv", "no_alarm_blind_dev18.tsv", "dev18"),
    "held18": ("redflags_blind_dev18.tsv", "no_alarm_blind_dev18.tsv", "held18"),
    # Round 19 (sixth session, three writers: second-language English, long stories, changes
    # since before, questions about the sign), scored once before any tuning on it.
    "dev19": ("redflags_blind_dev19.tsv", "no_alarm_blind_dev19.tsv", "dev19"),
    "held19": ("redflags_blind_dev19.tsv", "no_alarm_blind_dev19.tsv", "held19"),
    # Round 20 (sixth session: young people, what a physio or pharmacist asked, loose medical
    # words, several symptoms at once, hedged, terse), scored once before any tuning on it.
    "dev20": ("redflags_blind_dev20.tsv", "no_alarm_blind_dev20.tsv", "dev20"),
    "held20": ("redflags_blind_dev20.tsv", "no_alarm_blind_dev20.tsv", "held20"),
    # Round 21 (seventh session: the sign asked as a question about oneself, carers, typed at 3am,
    # buried in a long message, mixed with an ordinary question, understated), scored once first.
    "dev21": ("redflags_blind_dev21.tsv", "no_alarm_blind_dev21.tsv", "dev21"),
    "held21": ("redflags_blind_dev21.tsv", "no_alarm_blind_dev21.tsv", "held21"),
    # Round 23 (seventh session: timelines, numbers, compared with before, replies to a question,
    # joking or embarrassed, medical words used loosely), scored once before any tuning on it.
    "dev23": ("redflags_blind_dev23.tsv", "no_alarm_blind_dev23.tsv", "dev23"),
    "held23": ("redflags_blind_dev23.tsv", "no_alarm_blind_dev23.tsv", "held23"),
    # Round 24 (seventh session: what the person can no longer do, after a named event, very short
    # with a typo, second-language word order, a spouse or child, comparisons), scored once first.
    "dev24": ("redflags_blind_dev24.tsv", "no_alarm_blind_dev24.tsv", "dev24"),
    "held24": ("redflags_blind_dev24.tsv", "no_alarm_blind_dev24.tsv", "held24"),
    # Round 25 (seventh session, after round 22 was scored: the sign as the reason for another
    # question, in a list of symptoms, invented images, in a hurry, still going on, "what does it
    # mean if"), scored once before any tuning on it.
    "dev25": ("redflags_blind_dev25.tsv", "no_alarm_blind_dev25.tsv", "dev25"),
    "held25": ("redflags_blind_dev25.tsv", "no_alarm_blind_dev25.tsv", "held25"),
    # Round 26 (eighth session: checklists that deny several signs and report one, the sign as an
    # aside, Scottish, Irish, Australian, Indian and South African English, voice-to-text run-ons,
    # what others noticed, durations, minimising), scored once before any tuning on it.
    "dev26": ("redflags_blind_dev26.tsv", "no_alarm_blind_dev26.tsv", "dev26"),
    "held26": ("redflags_blind_dev26.tsv", "no_alarm_blind_dev26.tsv", "held26"),
    # Round 28 (eighth session, after the tuning on round 26: changes in daily routine, the sign
    # beside a remedy question, missing words, half-remembered medical words, greetings, numbers,
    # the sign in the last sentence), scored once before any tuning on it.
    "dev28": ("redflags_blind_dev28.tsv", "no_alarm_blind_dev28.tsv", "dev28"),
    "held28": ("redflags_blind_dev28.tsv", "no_alarm_blind_dev28.tsv", "held28"),
    # Round 29 (eighth session, after the tuning on round 28: comparisons with everyday things,
    # embarrassment, 'oh and also', very long and very short, what the person can no longer do,
    # elderly parents, time lines), scored once before any tuning on it.
    "dev29": ("redflags_blind_dev29.tsv", "no_alarm_blind_dev29.tsv", "dev29"),
    "held29": ("redflags_blind_dev29.tsv", "no_alarm_blind_dev29.tsv", "held29"),
    # Round 31 (ninth session: stoic people, numbers and scales, parents of grown children,
    # fragments on a commute, what was tried, simple second-language grammar, "is it normal that",
    # brand and place names), scored once before any tuning on it.
    "dev31": ("redflags_blind_dev31.tsv", "no_alarm_blind_dev31.tsv", "dev31"),
    "held31": ("redflags_blind_dev31.tsv", "no_alarm_blind_dev31.tsv", "held31"),
    # Round 33 (tenth session: slang and emoji, night-shift and manual workers, long rambling
    # messages with the sign mid-way, embarrassed hints), scored once before any tuning on it.
    "dev33": ("redflags_blind_dev33.tsv", "no_alarm_blind_dev33.tsv", "dev33"),
    "held33": ("redflags_blind_dev33.tsv", "no_alarm_blind_dev33.tsv", "held33"),
    # Round 34 (tenth session, after the tuning on round 33: what the person can no longer do, the
    # sign in passing after another question, very short with typos, what others noticed).
    "dev34": ("redflags_blind_dev34.tsv", "no_alarm_blind_dev34.tsv", "dev34"),
    "held34": ("redflags_blind_dev34.tsv", "no_alarm_blind_dev34.tsv", "held34"),
    # Round 36 (eleventh session: several things listed in one message, follow-ups that begin
    # "also" or "update:", pregnant people, gym-goers and office workers, phonetic misspelling).
    "dev36": ("redflags_blind_dev36.tsv", "no_alarm_blind_dev36.tsv", "dev36"),
    "held36": ("redflags_blind_dev36.tsv", "no_alarm_blind_dev36.tsv", "held36"),
    # Round 37 (eleventh session: "is it normal that", this episode against earlier ones,
    # metaphors, all lower case or all capitals).
    "dev37": ("redflags_blind_dev37.tsv", "no_alarm_blind_dev37.tsv", "dev37"),
    "held37": ("redflags_blind_dev37.tsv", "no_alarm_blind_dev37.tsv", "held37"),
    # Round 38 (eleventh session, after the tuning on rounds 36 and 37: teenagers, Urdu, Tagalog,
    # Portuguese and Romanian speakers, long stories with the sign near the end, jokes).
    "dev38": ("redflags_blind_dev38.tsv", "no_alarm_blind_dev38.tsv", "dev38"),
    "held38": ("redflags_blind_dev38.tsv", "no_alarm_blind_dev38.tsv", "held38"),
    # Round 39 (the same: body parts named instead of places, embarrassed older men and their
    # wives, numbers and timelines, "can a back spasm cause ...?" about the writer's own sign).
    "dev39": ("redflags_blind_dev39.tsv", "no_alarm_blind_dev39.tsv", "dev39"),
    "held39": ("redflags_blind_dev39.tsv", "no_alarm_blind_dev39.tsv", "held39"),
    # Round 41 (twelfth session: people who doubt themselves, carers and care-home staff, emoji
    # and abbreviations, Indian, Ghanaian, Jamaican, Malaysian and Welsh English).
    "dev41": ("redflags_blind_dev41.tsv", "no_alarm_blind_dev41.tsv", "dev41"),
    "held41": ("redflags_blind_dev41.tsv", "no_alarm_blind_dev41.tsv", "held41"),
    # Round 42 (the same session: replies mid-conversation, cyclists, climbers, rugby players,
    # riders and dancers, friends writing in the third person, one long run-on sentence).
    "dev42": ("redflags_blind_dev42.tsv", "no_alarm_blind_dev42.tsv", "dev42"),
    "held42": ("redflags_blind_dev42.tsv", "no_alarm_blind_dev42.tsv", "held42"),
    # Round 43 (the same: worse day by day, parents of babies, students and shift workers,
    # "can I wait till Monday", the medical words misspelt).
    "dev43": ("redflags_blind_dev43.tsv", "no_alarm_blind_dev43.tsv", "dev43"),
    "held43": ("redflags_blind_dev43.tsv", "no_alarm_blind_dev43.tsv", "held43"),
    # Round 45 (thirteenth session: people in their seventies and eighties writing formally,
    # dictation without punctuation, comparisons and metaphors, very short).
    "dev45": ("redflags_blind_dev45.tsv", "no_alarm_blind_dev45.tsv", "dev45"),
    "held45": ("redflags_blind_dev45.tsv", "no_alarm_blind_dev45.tsv", "held45"),
    # Round 46 (the same: builders, nurses, drivers, gardeners and gym-goers, replies to "how are
    # you doing?", when it started or stopped, Polish, Spanish, Filipino, Nigerian and Pakistani English).
    "dev46": ("redflags_blind_dev46.tsv", "no_alarm_blind_dev46.tsv", "dev46"),
    "held46": ("redflags_blind_dev46.tsv", "no_alarm_blind_dev46.tsv", "held46"),
    # Round 47 (the same: lists where one item is the sign, teenagers' slang, a worried partner late
    # at night, "111 or 999?").
    "dev47": ("redflags_blind_dev47.tsv", "no_alarm_blind_dev47.tsv", "dev47"),
    "held47": ("redflags_blind_dev47.tsv", "no_alarm_blind_dev47.tsv", "held47"),
    # Round 49 (fourteenth session: people who play it down and apologise, only what they notice,
    # two or three unrelated worries at once, very short).
    "dev49": ("redflags_blind_dev49.tsv", "no_alarm_blind_dev49.tsv", "dev49"),
    "held49": ("redflags_blind_dev49.tsv", "no_alarm_blind_dev49.tsv", "held49"),
    # Round 50 (the same: shift workers, parents of toddlers, carers, cleaners, taxi drivers and
    # students, replies to "you alright?", how long and how it changed, Indian, Ghanaian, Romanian,
    # Brazilian and Chinese English).
    "dev50": ("redflags_blind_dev50.tsv", "no_alarm_blind_dev50.tsv", "dev50"),
    "held50": ("redflags_blind_dev50.tsv", "no_alarm_blind_dev50.tsv", "held50"),
    # Round 51 (the same: lists and "and then", casual lowercase with lol/omg/ngl, older people or
    # their grown-up children writing formally, "walk-in or A&E?").
    "dev51": ("redflags_blind_dev51.tsv", "no_alarm_blind_dev51.tsv", "dev51"),
    "held51": ("redflags_blind_dev51.tsv", "no_alarm_blind_dev51.tsv", "held51"),
    # Round 53 (fifteenth session: tradespeople, nurses, pickers, new parents, pensioners and
    # gym-goers, what the sign stops them doing, embarrassed euphemisms, very short; UK, US, South
    # African and Kenyan words).
    "dev53": ("redflags_blind_dev53.tsv", "no_alarm_blind_dev53.tsv", "dev53"),
    "held53": ("redflags_blind_dev53.tsv", "no_alarm_blind_dev53.tsv", "held53"),
    # Round 54 (the same: what they already tried, "can it wait till ...", timelines, Nigerian,
    # Pakistani, Polish, Filipino and Jamaican English).
    "dev54": ("redflags_blind_dev54.tsv", "no_alarm_blind_dev54.tsv", "dev54"),
    "held54": ("redflags_blind_dev54.tsv", "no_alarm_blind_dev54.tsv", "held54"),
    # Round 55 (the same: jokes and understatement, the sign said last, an elderly parent or a
    # teenager, where to go or whom to call).
    "dev55": ("redflags_blind_dev55.tsv", "no_alarm_blind_dev55.tsv", "dev55"),
    "held55": ("redflags_blind_dev55.tsv", "no_alarm_blind_dev55.tsv", "held55"),
    # Round 57 (sixteenth session: drivers, cleaners, farmers, teachers, students and retired
    # people, what they noticed rather than the sign's name, euphemisms and baby words, very short;
    # UK, US, Indian, Ghanaian and Singaporean English).
    "dev57": ("redflags_blind_dev57.tsv", "no_alarm_blind_dev57.tsv", "dev57"),
    "held57": ("redflags_blind_dev57.tsv", "no_alarm_blind_dev57.tsv", "held57"),
    # Round 58 (the same: symptoms listed with commas and dashes, wait or go, timelines; Scottish,
    # Northern English, Caribbean, Malaysian and Hong Kong English).
    "dev58": ("redflags_blind_dev58.tsv", "no_alarm_blind_dev58.tsv", "dev58"),
    "held58": ("redflags_blind_dev58.tsv", "no_alarm_blind_dev58.tsv", "held58"),
    # Round 59 (the same: downplaying, the sign said last as an afterthought, a grandparent, a
    # pregnant partner or a teenager, "is it normal that" / "should I worry").
    "dev59": ("redflags_blind_dev59.tsv", "no_alarm_blind_dev59.tsv", "dev59"),
    "held59": ("redflags_blind_dev59.tsv", "no_alarm_blind_dev59.tsv", "held59"),
    # Round 17, written at the start of the sixth session and kept aside whole: scored once, at its end.
    "final17": ("redflags_blind_final17.tsv", "no_alarm_blind_final17.tsv", "final17"),
    # Round 22, written at the start of the seventh session and kept aside whole: scored once, at its end.
    "final22": ("redflags_blind_final22.tsv", "no_alarm_blind_final22.tsv", "final22"),
    # Round 27, written at the start of the eighth session and kept aside whole: scored once, at its end.
    "final27": ("redflags_blind_final27.tsv", "no_alarm_blind_final27.tsv", "final27"),
    # Round 30, written at the start of the ninth session and kept aside whole: scored once, at its end.
    "final30": ("redflags_blind_final30.tsv", "no_alarm_blind_final30.tsv", "final30"),
    # Round 32, written at the start of the tenth session and kept aside whole: scored once, at its end.
    "final32": ("redflags_blind_final32.tsv", "no_alarm_blind_final32.tsv", "final32"),
    # Round 35, written at the start of the eleventh session and kept aside whole: scored once, at its end.
    "final35": ("redflags_blind_final35.tsv", "no_alarm_blind_final35.tsv", "final35"),
    # Round 40, written at the start of the twelfth session and kept aside whole: scored once, at its end.
    "final40": ("redflags_blind_final40.tsv", "no_alarm_blind_final40.tsv", "final40"),
    # Round 44, written at the start of the thirteenth session and kept aside whole: scored once, at its end.
    "final44": ("redflags_blind_final44.tsv", "no_alarm_blind_final44.tsv", "final44"),
    # Round 48, written at the start of the fourteenth session and kept aside whole: scored once, at its end.
    "final48": ("redflags_blind_final48.tsv", "no_alarm_blind_final48.tsv", "final48"),
    # Round 52, written at the start of the fifteenth session and kept aside whole: scored once, at its end.
    "final52": ("redflags_blind_final52.tsv", "no_alarm_blind_final52.tsv", "final52"),
    # Round 56, written at the start of the sixteenth session and kept aside whole: scored once, at its end.
    "final56": ("redflags_blind_final56.tsv", "no_alarm_blind_final56.tsv", "final56"),
}
# Ordinary questions: (file, part). Set 1's dev part is among the "none" examples of
# content/redflag_examples.tsv; its held part and set 3 are not, so they say how this generalises.
ANSWER_SPLITS = {
    "dev": ("answers_blind.tsv", "dev"), "held": ("answers_blind.tsv", "held"),
    "dev3": ("answers_blind3.tsv", "dev3"), "held3": ("answers_blind3.tsv", "held3"),
    "dev4": ("answers_blind4.tsv", "dev4"), "held4": ("answers_blind4.tsv", "held4"),
    **{f"{p}{n}": (f"answers_blind{n}.tsv", f"{p}{n}") for n in (5, 6, 7, 8, 9, 10, 12, 13, 14, 16, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 34, 36, 37, 38, 39, 41, 42, 43, 45, 46, 47, 49, 50, 51, 53, 54, 55, 57, 58, 59) for p in ("dev", "held")},
    "final11": ("answers_blind11.tsv", "final11"),
    "final15": ("answers_blind15.tsv", "final15"),
    "final17": ("answers_blind17.tsv", "final17"),
    "final22": ("answers_blind22.tsv", "final22"),
    "final27": ("answers_blind27.tsv", "final27"),
    "final30": ("answers_blind30.tsv", "final30"),
    "final32": ("answers_blind32.tsv", "final32"),
    "final35": ("answers_blind35.tsv", "final35"),
    "final40": ("answers_blind40.tsv", "final40"),
    "final44": ("answers_blind44.tsv", "final44"),
    "final48": ("answers_blind48.tsv", "final48"),
    "final52": ("answers_blind52.tsv", "final52"),
    "final56": ("answers_blind56.tsv", "final56"),
}


def read(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def direct(row_level: str, reply: Reply) -> bool:
    """The urgent reply at the row's level (or higher) came first."""
    if reply.kind != "urgent":
        return False
    return reply.level == "emergency" or row_level == "same_day"


def caught(row_level: str, reply: Reply) -> bool:
    """Direct, or a safety question whose Yes gives that level (or higher)."""
    if direct(row_level, reply):
        return True
    return reply.kind == "check" and (reply.level == "emergency" or row_level == "same_day")


@dataclass
class Tally:
    n: int = 0
    direct: int = 0
    caught: int = 0
    misses: list[tuple[str, Reply]] = field(default_factory=list)


@dataclass
class SetResult:
    per_flag: dict[str, Tally]
    levels: dict[str, Tally]
    no_alarm: int
    false_alarms: int
    no_alarm_checks: int
    false_alarm_rows: list[tuple[str, Reply]]


def score_flags(engine: AnswerEngine, name: str) -> SetResult:
    flag_file, no_alarm_file, split = FLAG_SETS[name]
    per_flag: dict[str, Tally] = defaultdict(Tally)
    levels: dict[str, Tally] = defaultdict(Tally)
    for row in (r for r in read(flag_file) if r["split"] == split):  # round 9 holds two parts
        reply = engine.answer(row["text"])
        for t in (per_flag[row["flag"]], levels[row["level"]]):
            t.n += 1
            t.direct += direct(row["level"], reply)
            t.caught += caught(row["level"], reply)
        if not direct(row["level"], reply):
            per_flag[row["flag"]].misses.append((row["text"], reply))
    rows = [r for r in read(no_alarm_file) if r["split"] == split]
    alarms, checks, bad = 0, 0, []
    for row in rows:
        reply = engine.answer(row["text"])
        if reply.kind == "urgent":
            alarms += 1
            bad.append((row["text"], reply))
        checks += reply.kind == "check"
    return SetResult(dict(per_flag), dict(levels), len(rows), alarms, checks, bad)


def score_ordinary(engine: AnswerEngine, split: str) -> tuple[int, int, int]:
    """(ordinary in-scope questions, safety questions asked, urgent replies) on a part of an answers set.

    An urgent reply to a question its writer filed under the matching urgent topic ("back spasm
    and I can't pee, is this an emergency?" under Emergency signs) is that question's answer, not
    an alarm on an ordinary question, so it is not counted."""
    name, part = ANSWER_SPLITS[split]
    rows = [r for r in read(name) if r["split"] == part and r["kind"] in ("answer", "two")]
    replies = [engine.answer(r["text"]) for r in rows]
    alarms = sum(
        rep.kind == "urgent" and rep.topics[0] not in r["expected"].replace("+", "|").split("|")
        for r, rep in zip(rows, replies, strict=True)
    )
    return len(rows), sum(r.kind == "check" for r in replies), alarms


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f} % ({a}/{b})" if b else "  n/a"


def describe(reply: Reply) -> str:
    return reply.kind + (f":{reply.level}" if reply.level else "") + (f" {reply.check}" if reply.check else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--misses", choices=sorted(FLAG_SETS), help="list the misses and false alarms of this set")
    parser.add_argument("--content", type=Path, default=None)
    args = parser.parse_args(argv)
    engine = AnswerEngine.from_dir(args.content)

    results = {name: score_flags(engine, name) for name in FLAG_SETS}
    flags = sorted({f for r in results.values() for f in r.per_flag}, key=lambda f: (
        next(iter(r.per_flag[f] for r in results.values() if f in r.per_flag)).n == 0, f))
    level_of = {row["flag"]: row["level"] for name in FLAG_SETS for row in read(FLAG_SETS[name][0])}
    print("direct = the urgent reply at the right level came first; +q = caught by a safety question")
    print(f"{'flag':18} {'level':10} " + " ".join(f"{name:>14}" for name in FLAG_SETS))
    for level in ("emergency", "same_day"):
        for f in (f for f in flags if level_of[f] == level):
            cells = []
            for name in FLAG_SETS:
                t = results[name].per_flag.get(f, Tally())
                extra = f"+{t.caught - t.direct}q" if t.caught > t.direct else ""
                cells.append(f"{t.direct:>3}/{t.n:<3}{extra:>5}")
            print(f"{f:18} {level:10} " + " ".join(f"{c:>14}" for c in cells))
    print()
    for name, r in results.items():
        e, s = r.levels.get("emergency", Tally()), r.levels.get("same_day", Tally())
        print(f"[{name}] emergency recall {pct(e.direct, e.n)} (caught {pct(e.caught, e.n)})   "
              f"same-day recall {pct(s.direct, s.n)} (caught {pct(s.caught, s.n)})")
        print(f"[{name}] must-not-alarm: false alarms {pct(r.false_alarms, r.no_alarm)}   "
              f"safety questions {pct(r.no_alarm_checks, r.no_alarm)}")
    for split in ANSWER_SPLITS:
        n, checks, urgent = score_ordinary(engine, split)
        print(f"[{ANSWER_SPLITS[split][0]} {split}] ordinary questions: safety questions {pct(checks, n)}   urgent replies {pct(urgent, n)}")

    if args.misses:
        r = results[args.misses]
        print(f"\nmisses in {args.misses}:")
        for f, t in r.per_flag.items():
            for text, reply in t.misses:
                print(f"  {f:18} got {describe(reply):34} | {text}")
        print(f"false alarms in {args.misses}:")
        for text, reply in r.false_alarm_rows:
            print(f"  got {describe(reply):34} | {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
