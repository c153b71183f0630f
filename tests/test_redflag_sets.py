"""Red flags on messages written blind (tests/data/*_blind*.tsv), scored as bench/redflags.py does.

The dev rounds (dev, dev2, dev3) were each frozen, scored once before any tuning, then used for
development: on them every emergency is caught (all but one by the emergency reply itself) and
false alarms stay under 2 %. The later rounds (dev4-dev8, written to be hard: euphemism, dialect,
metaphor, carers) were tuned on last and less; they have floors at what was measured. The `held` rows of the first round have never been read while tuning; their figures are
regression floors at what was measured, not targets met (see the README and the closing note).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.redflags import FLAG_SETS, read, score_flags, score_ordinary  # noqa: E402
from bot.core.answers import AnswerEngine  # noqa: E402

DEV_SETS = ("dev", "dev2", "dev3")
FLAGS = {
    "emergency": {"ce-bladder-bowel", "ce-saddle", "ce-sexual", "both-legs", "serious-injury", "chest-pain", "tearing-pain", "aneurysm"},
    "same_day": {"fever-unwell", "weight-loss", "constant-night", "lump-shape", "thoracic", "cough-sneeze", "cancer-history",
                 "fracture-risk", "infection-risk", "recent-infection", "one-leg-nerve"},
}
# Flags added after the sets were written: their writers filed such messages under a neighbour
# (a urine infection with back pain under infection-risk).
NEWER_FLAGS = {"recent-infection"}


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    return AnswerEngine.from_dir()


@pytest.fixture(scope="module")
def results(engine: AnswerEngine):
    return {name: score_flags(engine, name) for name in FLAG_SETS}


def test_every_set_is_well_formed_and_covers_every_flag(engine: AnswerEngine) -> None:
    known = {f.id for f in engine.redflags.flags}
    assert known == FLAGS["emergency"] | FLAGS["same_day"]
    for name, (flag_file, no_alarm_file, split) in FLAG_SETS.items():
        rows = read(flag_file)
        assert {r["flag"] for r in rows} == known - NEWER_FLAGS, name
        for r in rows:
            assert r["flag"] in FLAGS[r["level"]], r
            assert r["text"].strip(), r
        # The held parts of rounds 9, 10, 12, 13, 16-21, 23-26, 28, 29, 31, 33, 34, 36-39, 41-43, 45-47, 49-51, 53-55 and 57-59 are the smaller parts (48 to 64 rows).
        least = {"held2": 60, "held4": 60, "held12": 45, "held13": 60, "held16": 60, "held18": 60, "held19": 60, "held20": 60, "held21": 60, "held23": 60, "held24": 60, "held25": 60, "held26": 60, "held28": 60, "held29": 60, "held31": 60, "held33": 60, "held34": 60, "held36": 60, "held37": 60, "held38": 60, "held39": 60, "held41": 60, "held42": 60, "held43": 60, "held45": 60, "held46": 60, "held47": 60, "held49": 60, "held50": 60, "held51": 60, "held53": 60, "held54": 60, "held55": 60, "held57": 60, "held58": 60, "held59": 60}.get(name, 80)
        assert len([r for r in read(no_alarm_file) if r["split"] == split]) >= least, name


@pytest.mark.parametrize("name", DEV_SETS)
def test_every_emergency_of_the_dev_rounds_is_caught(results, name: str) -> None:
    e = results[name].levels["emergency"]
    missed = [(f, text) for f, t in results[name].per_flag.items() if f in FLAGS["emergency"] for text, _ in t.misses]
    assert e.caught == e.n, missed  # the emergency reply first, or its safety question
    assert e.n - e.direct <= 1, missed  # the safety question stands in for at most one


@pytest.mark.parametrize("name", DEV_SETS)
def test_same_day_signs_of_the_dev_rounds_are_caught(results, name: str) -> None:
    s = results[name].levels["same_day"]
    assert s.caught / s.n >= 0.98  # the same-day reply first, or its safety question
    assert s.direct / s.n >= 0.97


@pytest.mark.parametrize("name", DEV_SETS)
def test_false_alarms_on_the_dev_rounds_stay_under_two_percent(results, name: str) -> None:
    r = results[name]
    assert r.false_alarms / r.no_alarm <= 0.02, r.false_alarm_rows


def test_round_nine_dev_part_is_caught_by_the_examples(results) -> None:
    """Round 9 was written after the first examples of content/redflag_examples.tsv (its dev part
    has been among them since round 10 arrived). First score (rules only): emergency 60/64 direct
    and 62/64 caught, same-day 76/80 direct and 77/80 caught. With the examples: every emergency
    caught (60 by the emergency reply, 4 by the safety question), same-day 78/80 caught, no false
    alarm."""
    r = results["dev9"]
    assert r.levels["emergency"].direct >= 60 and r.levels["emergency"].caught == r.levels["emergency"].n
    assert r.levels["same_day"].direct >= 76 and r.levels["same_day"].caught >= 78
    assert r.false_alarms == 0


def test_held_rows_do_not_regress(results) -> None:
    # Never tuned on. Measured 2026-12-06 (fifth session): emergency 78/84 direct (79 with the
    # safety question), same-day 91/100, false alarms 3/88 (over the 2 % target). Floors raised at
    # the seventh session's end: 79/84 (80 caught), 92/100.
    r = results["held"]
    assert r.levels["emergency"].caught >= 80 and r.levels["emergency"].direct >= 79
    assert r.levels["same_day"].direct >= 92
    assert r.false_alarms <= 3


@pytest.mark.parametrize(
    ("name", "emergency", "caught", "same_day", "false_alarms"),
    # Parts nobody tuned on (held2, held4, held12, held13; final11 and final14 were written after
    # the tuning and kept aside whole), and the dev parts of rounds 10, 12 and 13. Floors at what
    # was measured on 2026-12-06 (first scores: held2 41/48 and 54/60 with 2 false alarms; dev10
    # 66/68, 83/85, 1; held4 40/44, 50/55, 1; final11 62/64, 78/80, 0; round 12 whole 103/112,
    # 103/120, 8/128; round 13 whole 88/96, 113/120, 14/160; final14 = now; round 16, sixth
    # session: dev16 50/56, 68/70, 1/96, held16 36/40, 46/50, 1/64; round 18: dev18 54/56,
    # 63/70, 3/96, held18 34/40, 41/50, 1/64; round 19: dev19 61/64, 59/70, 13/96, held19
    # 39/48, 40/50, 7/64; round 20: dev20 53/56, 66/70, 3/96, held20 40/40, 48/50, 4/64; final17,
    # kept aside whole and scored once at the sixth session's end = now). The targets are
    # 100 % and at most 2 % false alarms; held12, held13 and final14 are over that ceiling.
    [("dev10", 68, 68, 85, 0), ("held4", 41, 44, 51, 0), ("final11", 62, 64, 79, 0),
     ("dev12", 63, 64, 68, 0), ("held12", 44, 48, 43, 3), ("dev13", 55, 55, 69, 0), ("held13", 37, 39, 47, 6),
     ("final14", 79, 79, 97, 3), ("dev16", 53, 56, 70, 0), ("held16", 36, 40, 47, 1),
     ("dev18", 56, 56, 69, 1), ("held18", 34, 37, 45, 1), ("held2", 45, 47, 56, 0),
     # held20 false alarms 5 -> 6 in the fourteenth session: "almost gave way" now counts as a leg
     # giving way (held16 +1 same day); one must-not-alarm message says so of one leg.
     ("dev19", 64, 64, 69, 3), ("held19", 39, 45, 42, 4), ("dev20", 54, 56, 69, 0), ("held20", 40, 40, 48, 6),
     ("final17", 78, 80, 96, 1),
     # Seventh session (floors of older parts raised to what was measured at its end). Round 21 first: dev21 56/56, 68/70, 5/96; held21 39/40 (40 caught), 42/50,
     # 1/64. Round 23 first: dev23 51/56, 61/70, 4/96; held23 38/40 (40 caught), 45/50, 2/64.
     # Round 24 first: dev24 51/56 (53 caught), 60/70, 4/96; held24 36/40 (38 caught), 42/50, 1/64.
     ("dev21", 56, 56, 69, 2), ("held21", 39, 40, 46, 1), ("dev23", 56, 56, 70, 2), ("held23", 39, 40, 45, 2),
     # Round 25 first (written after round 22 was scored): dev25 51/56 (53 caught), 63/70, 6/96;
     # held25 39/40 (39 caught), 49/50, 1/64.
     ("dev24", 56, 56, 67, 0), ("held24", 36, 38, 42, 1), ("dev25", 53, 55, 68, 0), ("held25", 39, 39, 49, 1),
     # Round 26 first (eighth session): dev26 53/56 (54 caught), 67/70, 4/96; held26 40/40, 46/50, 3/64.
     ("dev26", 53, 54, 67, 4), ("held26", 40, 40, 46, 3),
     # Round 28 first (after the tuning on round 26): dev28 53/56 (56 caught), 62/70, 4/96;
     # held28 36/40 (39 caught), 44/50, 3/64.
     ("dev28", 53, 56, 62, 4), ("held28", 36, 39, 44, 3),
     # Round 29 first (after the tuning on round 28): dev29 56/56, 60/70, 3/96; held29 38/40 (39
     # caught), 44/50, 0/64.
     ("dev29", 56, 56, 60, 3), ("held29", 38, 39, 44, 0),
     # Round 31 first (ninth session: stoic people, numbers, commute fragments, "is it normal that"):
     # dev31 54/56 (56 caught), 65/70, 3/96; held31 39/40 (40 caught), 45/50, 1/64.
     ("dev31", 54, 56, 65, 3), ("held31", 39, 40, 45, 1),
     # Tenth session: held20's false-alarm ceiling 4 -> 5. The recent-infection sign (a urine
     # infection with back pain, NICE CKS) added one there, and one same-day catch among the held
     # parts; the text was not read.
     # Round 33 first (tenth session: slang and emoji, manual and night-shift workers, long rambling
     # messages, embarrassed hints): dev33 48/56 (52 caught), 56/70, 2/96; held33 37/40 (37
     # caught), 45/50, 0/64.
     ("dev33", 48, 52, 56, 2), ("held33", 37, 37, 45, 0),
     # Round 34 first (after the tuning on round 33: what the person can no longer do, the sign in
     # passing, very short with typos, what others noticed): dev34 45/56 (53 caught), 57/70, 0/96;
     # held34 34/40 (37 caught), 40/50, 0/64.
     ("dev34", 45, 53, 57, 0), ("held34", 34, 37, 40, 0),
     # Round 36 first (eleventh session: several things listed in one message, "also" and "update:"
     # follow-ups, pregnant people, gym-goers and office workers, phonetic misspelling): dev36 52/56
     # (54 caught), 58/70, 1/96; held36 36/40 (39 caught), 46/50, 2/64.
     ("dev36", 52, 54, 58, 1), ("held36", 36, 39, 46, 2),
     # Round 37 first (eleventh session: "is it normal that", this episode against earlier ones,
     # metaphors, all lower case or all capitals): dev37 54/56 (54 caught), 60/70, 2/96; held37
     # 36/40 (37 caught), 40/50, 1/64.
     ("dev37", 54, 54, 60, 2), ("held37", 36, 37, 40, 1),
     # Round 38 first (after the tuning on rounds 36 and 37: teenagers, second-language grammar,
     # long stories with the sign near the end, jokes): dev38 48/56 (54 caught), 63/70, 1/96;
     # held38 33/40 (37 caught), 46/50, 1/64.
     ("dev38", 48, 54, 63, 1), ("held38", 33, 37, 46, 1),
     # Round 39 first (the same: body parts for places, embarrassed older men, numbers and
     # timelines, general questions about the writer's own sign): dev39 50/56 (51 caught), 63/70,
     # 1/96; held39 39/40 (39 caught), 46/50, 1/64.
     ("dev39", 50, 51, 63, 1), ("held39", 39, 39, 46, 1),
     # Round 41 first (twelfth session: people who doubt themselves, carers, emoji and
     # abbreviations, Indian, Ghanaian, Jamaican, Malaysian and Welsh English): dev41 52/56 (53
     # caught), 59/70, 0/96; held41 35/40 (36 caught), 45/50, 2/64.
     ("dev41", 52, 53, 59, 0), ("held41", 35, 36, 45, 2),
     # Round 42 first (replies mid-conversation, cyclists, climbers, riders and dancers, friends in
     # the third person, run-on sentences): dev42 52/56 (55 caught), 66/70, 2/96; held42 36/40 (40
     # caught), 46/50, 1/64.
     ("dev42", 52, 55, 66, 2), ("held42", 36, 40, 46, 1),
     # Round 43 first (worse day by day, parents of babies, students and shift workers, "can I wait
     # till Monday", misspelt medical words): dev43 47/56 (51 caught), 63/70, 1/96; held43 38/40
     # (38 caught), 47/50, 2/64.
     ("dev43", 47, 51, 63, 1), ("held43", 38, 38, 47, 2),
     # Round 45 first (thirteenth session: people in their seventies and eighties, dictation without
     # punctuation, comparisons and metaphors, very short): dev45 55/56 (55 caught), 63/70, 0/96;
     # held45 38/40 (39 caught), 44/50, 0/64.
     ("dev45", 55, 55, 63, 0), ("held45", 38, 39, 44, 0),
     # Round 46 first (builders, nurses, drivers and gym-goers, replies to "how are you doing?",
     # when it started, Polish, Spanish, Filipino, Nigerian and Pakistani English): dev46 50/56 (54
     # caught), 62/70, 3/96; held46 37/40 (39 caught), 42/50, 0/64.
     ("dev46", 50, 54, 62, 3), ("held46", 37, 39, 42, 0),
     # Round 47 first (lists where one item is the sign, teenagers' slang, a worried partner late at
     # night, "111 or 999?"): dev47 54/56 (54 caught), 62/70, 4/96; held47 39/40 (39 caught), 45/50,
     # 1/64.
     ("dev47", 54, 54, 62, 4), ("held47", 39, 39, 45, 1),
     # Round 49 first (fourteenth session: playing it down and apologising, only what they notice,
     # two or three worries at once, very short): dev49 51/56 (51 caught), 67/70, 2/96; held49
     # 37/40 (39 caught), 45/50, 0/64.
     ("dev49", 51, 51, 67, 2), ("held49", 37, 39, 45, 0),
     # Round 50 first (shift workers, parents, carers and drivers, "you alright?", how it changed,
     # Indian, Ghanaian, Romanian, Brazilian and Chinese English): dev50 53/56 (56 caught), 62/70,
     # 2/96; held50 36/40 (37 caught), 46/50, 0/64.
     ("dev50", 53, 56, 62, 2), ("held50", 36, 37, 46, 0),
     # Round 51 first (lists and "and then", lol/omg/ngl, older people writing formally, "walk-in
     # or A&E?"): dev51 49/56 (52 caught), 65/70, 0/96; held51 36/40 (37 caught), 46/50, 3/64.
     ("dev51", 49, 52, 65, 0), ("held51", 36, 37, 46, 3),
     # Round 53 first (fifteenth session: tradespeople, nurses, new parents and pensioners, what the
     # sign stops them doing, embarrassed euphemisms, very short): dev53 48/56 (51 caught), 64/70,
     # 0/96; held53 35/40 (36 caught), 43/50, 0/64.
     ("dev53", 48, 51, 64, 0), ("held53", 35, 36, 43, 0),
     # Round 54 first (what they tried, "can it wait till Monday", timelines, Nigerian, Pakistani,
     # Polish, Filipino and Jamaican English): dev54 47/56 (53 caught), 58/70, 1/96; held54 32/40
     # (35 caught), 44/50, 0/64.
     ("dev54", 47, 53, 58, 1), ("held54", 32, 35, 44, 0),
     # Round 55 first (jokes and understatement, the sign said last, an elderly parent or a
     # teenager, where to go): dev55 50/56 (54 caught), 63/70, 1/96; held55 37/40 (37 caught),
     # 46/50, 1/64.
     ("dev55", 50, 54, 63, 1), ("held55", 37, 37, 46, 1),
     # Round 57 first (sixteenth session: drivers, cleaners, farmers, teachers, students and retired
     # people, what they noticed, euphemisms and baby words, very short): dev57 47/56 (52 caught),
     # 65/70, 1/96; held57 37/40 (37 caught), 46/50, 0/64.
     ("dev57", 47, 52, 65, 1), ("held57", 37, 37, 46, 0),
     # Round 58 first (symptoms listed with commas and dashes, wait or go, timelines; Scottish,
     # Northern English, Caribbean, Malaysian and Hong Kong English): dev58 49/56 (54 caught),
     # 68/70, 2/96; held58 37/40 (39 caught), 46/50, 0/64.
     ("dev58", 49, 54, 68, 2), ("held58", 37, 39, 46, 0),
     # Round 59 first (downplaying, the sign as an afterthought, a grandparent, a pregnant partner
     # or a teenager, "should I worry"): dev59 52/56 (53 caught), 64/70, 0/96; held59 35/40 (37
     # caught), 48/50, 2/64.
     ("dev59", 52, 53, 64, 0), ("held59", 35, 37, 48, 2),
     # Round 22: written at the seventh session's start, kept aside whole, scored once at its end.
     ("final22", 78, 80, 97, 0),
     # Round 27: written at the eighth session's start, kept aside whole, scored once at its end.
     ("final27", 94, 96, 119, 2),
     # Round 30: written at the ninth session's start, kept aside whole, scored once at its end
     # (3 emergencies got only the safety question or less; 6 false alarms, above the 2 % target).
     ("final30", 93, 94, 120, 6),
     # Round 32: written at the tenth session's start, kept aside whole, scored once at its end
     # (the session-start engine: 87/96 (90 caught), 109/120, 0/160).
     ("final32", 87, 90, 110, 0),
     # Round 35: written at the eleventh session's start, kept aside whole, scored once at its end
     # (the session-start engine: 83/96 (89 caught), 103/120, 3/160).
     ("final35", 83, 89, 105, 3),
     # Round 40: written at the twelfth session's start, kept aside whole, scored once at its end
     # (the session-start engine: 85/96 (93 caught), 104/120, 2/160).
     ("final40", 85, 93, 105, 2),
     # Round 44: written at the thirteenth session's start, kept aside whole, scored once at its end
     # (the session-start engine: the same, 85/96 (90 caught), 104/120, 2/160).
     ("final44", 85, 90, 104, 2),
     # Round 48: written at the fourteenth session's start, kept aside whole, scored once at its end
     # (the session-start engine: the same, 86/96 (90 caught), 112/120, 0/160).
     ("final48", 86, 90, 112, 0),
     # Round 52: written at the fifteenth session's start, kept aside whole, scored once at its end
     # (the session-start engine: the same, 88/96 (95 caught), 111/120, 1/160).
     ("final52", 88, 95, 111, 1),
     # Round 56: written at the sixteenth session's start, kept aside whole, scored once at its end
     # (the session-start engine: 85/96 (88 caught), 114/120, 1/160).
     ("final56", 87, 90, 114, 1)],
)
def test_rounds_nine_to_thirty_one_do_not_regress(
    results, name: str, emergency: int, caught: int, same_day: int, false_alarms: int
) -> None:
    r = results[name]
    assert r.levels["emergency"].direct >= emergency and r.levels["emergency"].caught >= caught
    assert r.levels["same_day"].direct >= same_day
    assert r.false_alarms <= false_alarms, r.false_alarm_rows


@pytest.mark.parametrize(
    ("name", "emergency", "same_day"),
    # dev4 scored first at 158/194 emergencies and 10/154 false alarms; dev5 at 102/129 and 17/165.
    # dev6 at 152/165 and 10/180; dev7 at 123/129 and 5/176; dev8 at 118/129 and 5/176.
    [("dev4", 189, 78), ("dev5", 125, 110), ("dev6", 162, 90), ("dev7", 128, 102), ("dev8", 127, 110)],
)
def test_later_rounds_do_not_regress(results, name: str, emergency: int, same_day: int) -> None:
    r = results[name]
    assert r.levels["emergency"].direct >= emergency and r.levels["same_day"].direct >= same_day
    assert r.levels["emergency"].caught / r.levels["emergency"].n >= 0.97
    assert r.false_alarms / r.no_alarm <= 0.02


@pytest.mark.parametrize("split", ["dev", "held", "dev3", "held3"])
def test_ordinary_questions_rarely_get_a_safety_question_and_never_an_alarm(engine: AnswerEngine, split: str) -> None:
    n, checks, urgent = score_ordinary(engine, split)
    assert n >= {"dev": 350, "held": 170, "dev3": 160, "held3": 100}[split]
    assert checks / n <= 0.05
    # Set 3's held part had one urgent reply on an ordinary question at its first score (rules
    # only; never looked at): a floor, not the target of none.
    assert urgent <= (1 if split == "held3" else 0)


@pytest.mark.parametrize(
    "split",
    [p + n for n in ("4", "5", "6", "7", "8", "9", "10", "12", "13", "14", "16", "18", "20", "21", "23", "25", "26", "28", "29", "31", "33", "34", "36", "37", "38", "39", "41", "42", "43", "45", "46", "47", "49", "50", "51", "53", "54", "55", "57", "58", "59")
     for p in ("dev", "held")] + ["final11", "final15", "final17", "final22", "final27", "final30", "final32", "final35", "final40", "final44", "final48", "final52", "final56"],
)
def test_ordinary_questions_of_every_answers_set_rarely_get_a_safety_question(engine: AnswerEngine, split: str) -> None:
    """Issue 7: at most 5 % of in-scope messages are asked a safety question (measured 0-3.8 %
    per part). Urgent replies there are mostly falls from ladders and car crashes, which the
    issue's rule makes emergencies: a ceiling at what was measured (at most 8 of 240; held14,
    never read, 8 of 140)."""
    n, checks, urgent = score_ordinary(engine, split)
    assert n >= 200 if split.startswith("dev") else n >= 130
    assert checks / n <= 0.05
    assert urgent / n <= (0.06 if split == "held14" else 0.04)


def test_the_measures_can_fail(engine: AnswerEngine) -> None:
    """Guards the tests above: an engine that never alarms scores zero, one that always does fails."""
    from bench.redflags import caught, direct
    from bot.core.answers import Reply

    silent = Reply("answer", ("keep-moving",), 1.0, "x")
    alarm = Reply("urgent", ("emergency-signs",), 1.0, "x", level="emergency")
    same_day = Reply("urgent", ("see-doctor-today",), 1.0, "x", level="same_day")
    asked = Reply("check", (), 0.0, "q", level="emergency", check="check-chest")
    assert not direct("emergency", silent) and not caught("emergency", silent)
    assert direct("emergency", alarm) and direct("same_day", alarm)
    assert not direct("emergency", same_day) and direct("same_day", same_day)
    assert not direct("emergency", asked) and caught("emergency", asked)


def test_must_not_alarm_set_15_stays_quiet(engine: AnswerEngine) -> None:
    """Set 15 (dev only, 240 near misses): 14 false alarms at its first score, 1 after the
    changes it taught (a whiplash long healed, still read as a serious accident)."""
    rows = read("no_alarm_blind_dev15.tsv")
    assert len(rows) == 240
    alarms = [r["text"] for r in rows if engine.answer(r["text"]).kind == "urgent"]
    assert len(alarms) <= 1, alarms
