"""The engine against the labelled set tests/data/questions.tsv (dev and held rows alike).

Columns: split (dev|held), kind (answer|urgent|no_match|smalltalk), expected, text.
`expected` is a topic id (or several, comma-separated, any of which is right) for answer rows,
the level (emergency|same_day) for urgent rows, the small-talk level, or "none".
The targets come from the issue: every urgent message is caught, in-scope questions get the right
topic first (a "Did you mean" counts as a miss; a floor here, the 95 % target is judged on the
blind sets), >= 90 % of out-of-scope ones are declined. bench/answers.py prints the same figures and lists the misses.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.core.answers import AnswerEngine

DATA = Path(__file__).parent / "data" / "questions.tsv"
KINDS = {"answer", "urgent", "no_match", "smalltalk"}


def load_rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    return AnswerEngine.from_dir()


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return load_rows()


def test_labelled_set_is_well_formed(engine: AnswerEngine, rows: list[dict[str, str]]) -> None:
    assert len(rows) >= 150
    for row in rows:
        assert row["split"] in {"dev", "held"}, row
        assert row["kind"] in KINDS, row
        assert row["text"].strip(), row
        if row["kind"] == "answer":
            assert set(row["expected"].split(",")) <= set(engine.content.topics), row
        if row["kind"] == "urgent":
            assert row["expected"] in {"emergency", "same_day"}, row
    assert {r["split"] for r in rows} == {"dev", "held"}
    assert {r["kind"] for r in rows} == KINDS


def test_every_urgent_message_is_caught(engine: AnswerEngine, rows: list[dict[str, str]]) -> None:
    missed = [r["text"] for r in rows if r["kind"] == "urgent" and engine.answer(r["text"]).kind != "urgent"]
    assert missed == []


def in_scope_accuracy(engine: AnswerEngine, rows: list[dict[str, str]]) -> tuple[float, list]:
    questions = [r for r in rows if r["kind"] == "answer"]
    wrong = []
    for row in questions:
        reply = engine.answer(row["text"])
        if not (reply.kind == "answer" and reply.topics[0] in row["expected"].split(",")):
            wrong.append((row["text"], reply.kind, reply.topics))
    return 1 - len(wrong) / len(questions), wrong


# A floor under the target. This set was written by us, knowing the content; the target
# is judged on the blind sets (bench/answers.py). Adding blind-written questions as examples
# (content/question_examples.tsv) moved this set from 95.1 % to 92.9 % while questions from writers
# the examples never saw gained 2.9 points (bench/question_examples.py --cv) and every blind held
# part gained: where the two disagree (is "what does a spasm feel like when it hits" about the
# feeling or the timing?), the blind writers are the better guide to fresh users.
IN_SCOPE_FLOOR = 0.90


def test_in_scope_top1_accuracy_does_not_regress(engine: AnswerEngine, rows: list[dict[str, str]]) -> None:
    accuracy, wrong = in_scope_accuracy(engine, rows)
    assert accuracy >= IN_SCOPE_FLOOR, f"{accuracy:.1%} right; misses: {wrong}"


def test_out_of_scope_rejection(engine: AnswerEngine, rows: list[dict[str, str]]) -> None:
    others = [r for r in rows if r["kind"] == "no_match"]
    replies = [(r["text"], engine.answer(r["text"])) for r in others]
    answered = [(text, reply.kind, reply.topics) for text, reply in replies if reply.kind != "no_match"]
    rejected = 1 - len(answered) / len(others)
    assert rejected >= 0.90, f"{rejected:.1%} declined; answered: {answered}"


def test_small_talk_is_recognised(engine: AnswerEngine, rows: list[dict[str, str]]) -> None:
    talk = [r for r in rows if r["kind"] == "smalltalk"]
    right = sum(engine.answer(r["text"]).level == r["expected"] for r in talk)
    assert right / len(talk) >= 0.9


def test_every_urgent_message_of_the_blind_set_is_caught(engine: AnswerEngine) -> None:
    """The second set (questions_fresh.tsv) was written without seeing the engine; recall must hold there too."""
    with (DATA.parent / "questions_fresh.tsv").open(encoding="utf-8", newline="") as fh:
        fresh = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    urgent = [r for r in fresh if r["kind"] == "urgent"]
    assert len(urgent) >= 18
    assert [r["text"] for r in urgent if engine.answer(r["text"]).kind != "urgent"] == []
    # A plain fall was labelled same-day when this set was written; NICE CKS counts a minor fall
    # only with weak bones, steroids or older age, so these now get the safety question instead.
    checked = [r for r in fresh if r["kind"] == "check"]
    assert checked and all(engine.answer(r["text"]).check == r["expected"] for r in checked)


def test_is_urgent_agrees_with_answer_on_every_row(engine: AnswerEngine, rows: list[dict[str, str]]) -> None:
    """Features call is_urgent() before claiming a message; it must match the full answer's verdict."""
    disagree = [r["text"] for r in rows if engine.is_urgent(r["text"]) != (engine.answer(r["text"]).kind == "urgent")]
    assert disagree == []
    assert sum(engine.is_urgent(r["text"]) for r in rows) >= 43


# The parts of the blind answers sets nobody tuned on: the held parts (never read, never examples)
# and set 11 (written after the tuning, kept aside whole). Floors at what was measured on
# 2026-12-06 (in scope right first, off-topic declined, two questions answered on both); the
# issue's targets (92 %, 90 %, 80 %) are not met yet, so these only stop them falling back.
# Floors at what was measured in the sixth session of 2026-12-06 (after sets 16 and 18 joined the
# examples). New examples move single rows of a part both ways: set 18's left the parts' total in
# scope unchanged (a part may lose a row or two when the total holds or rises; say so here).
# A body part that only says how (sitting cross-legged) no longer rules a message out: held parts
# +3 in scope, -1 off-topic (held4 39 -> 38), final15 off-topic 88 -> 87. Set 20's examples: the
# held parts of sets 1-18 +6 in scope together (held4, held9, held13 -1 each), final11 +2,
# final15 -1; two questions held6 and held10 -1. An urgent reply counts as right for a question filed under the matching
# urgent topic (bench/answers.py blind_judge).
KEPT_ASIDE_FLOORS = [
    # Fourteenth session: "wats" / "wots" read as "what's" (not "wait"); with it the held parts +1 in
    # scope and +1 two questions, held5 off-topic -1 (counts only read). The dev messages of sets
    # 49-51 the engine got wrong joined the examples, and 21 examples that repeat a kept-aside text
    # left them: against the same examples without sets 49-51, held parts +2 in scope, +1 off-topic;
    # held51 -2 in scope; final44 264 (two of its texts had been examples), +1 off-topic, +1 two.
    # held4 117 -> 116: "went down hard" (in a game, on the slopes) now gets the injury safety
    # question first, and a back named after a comma ("can't get warm, back is sore") is the back,
    # which put the right-now topic first on one message (counts and matched words only read).
    # Twelfth session: the dev messages of sets 21-43 the engine got wrong joined the examples, and a
    # small-talk word means something when the topics' own texts use it (so "take" in "what can I
    # take" stays a question however many examples use it). Held parts +24 in scope, +5 two
    # questions; the older kept-aside finals +18, +2, +2; single parts -1 (counts only read): held7
    # off-topic, held25 two questions.
    # Tenth session: "can dehydration cause spasms?" now gets the hot-weather-and-water topic
    # (lexicon cause_topics), as most writers filed it; some filed it under low minerals. Together
    # the held parts +3 in scope and -2 two questions, the kept-aside finals +6 and +5; single parts
    # -1 (counts only read): held7, held12, held14, held25, final11 two questions; held8, held9, held14 in scope.
    # Raised in the seventh session to what was measured after the off-topic example vote
    # (bot/core/off_topic.py) and the two-question changes: most off-topic floors +1 to +4.
    # Eighth session: dehydration questions now get the water topic; sets 1 and 5 filed two under
    # low minerals (held and held5 -1 each; the held parts' total in scope held at 2076).
    ("", "held", 135, 55, 26), ("2", "held", 67, 19, 15), ("3", "held3", 79, 24, 13),
    # Sixteenth session: the missed dev messages of sets 57-59 joined the examples (held parts +8
    # in scope, -1 off-topic in all); held5 off-topic, held50 in scope, final22 off-topic and
    # final44 two questions -1 each with them (counts only read).
    ("4", "held4", 116, 38, 21), ("5", "held5", 109, 37, 12), ("6", "held6", 106, 38, 15),
    ("7", "held7", 114, 40, 23), ("8", "held8", 104, 39, 20), ("9", "held9", 110, 41, 21),
    ("10", "held10", 120, 43, 21), ("11", "final11", 232, 96, 50),
    # Sets 12-14 (fifth session); first scores, before any tuning on them: held12 102/116, 35/40,
    # 20/24; held13 94/116, 37/40, 17/24; held14 96/116, 35/40, 24/24. Set 15 was written after
    # the tuning and kept aside whole; scored once: 264/290, 85/100, 48/60.
    # held13 two questions 20 -> 19 in the fifteenth session: a swelling now gets the lump safety
    # question (check-lump) before the answer; held55 below, in scope 103 -> 102, likewise (a lump
    # asked about as a spasm). Counts and matched words only read.
    ("12", "held12", 108, 36, 21), ("13", "held13", 102, 37, 19), ("14", "held14", 102, 37, 23),
    ("15", "final15", 267, 89, 51),
    # Sets 16, 18 and 20 (sixth session); first scores: held16 108/116, 36/40, 19/24; held18
    # 99/116, 36/40, 19/24; held20 93/116, 31/40, 18/24.
    # held18 in scope 100 -> 99 in the ninth session: "just asking" / "just curious" now put a
    # sign in doubt (a safety question first, not the emergency reply); on the must-not-alarm
    # sets that took the held false alarms from 33 to 31.
    ("16", "held16", 109, 37, 20), ("18", "held18", 99, 37, 19), ("20", "held20", 93, 31, 20),
    # Set 17: written at the start of the sixth session, kept aside whole, scored once at its end.
    ("17", "final17", 253, 89, 53),
    # Sets 21 and 23 (seventh session); first scores: held21 104/116, 38/40, 20/24; held23 93/116,
    # 37/40, 17/24. Nothing was tuned on them.
    ("21", "held21", 104, 38, 20), ("23", "held23", 93, 37, 17),
    # Set 25 (written after set 22 was scored); first score held25 93/116, 33/40, 19/24.
    ("25", "held25", 93, 33, 17),
    # Set 26 (eighth session: long context, second-language English, "is it normal", denied
    # checklists, abbreviations); first scores: dev26 157/174, 56/60, 32/36; held26 102/116, 34/40, 19/24.
    ("26", "held26", 102, 34, 19),
    # Set 28 (eighth session, after the tuning on set 26: greetings, what was tried, physical jobs,
    # parents of teenagers, statements as questions); first scores: dev28 151/174, 54/60, 33/36;
    # held28 105/116, 34/40, 20/24.
    ("28", "held28", 105, 34, 20),
    # Set 29 (after the tuning on set 28: search-style, times, a doctor's advice, the second
    # clause the real question, misspelt key words, "what do you do when"); first scores:
    # dev29 161/174, 54/60, 24/36; held29 108/116, 39/40, 23/24. Off-topic 39 -> 38 in the twelfth
    # session: sets 40-43 repeat a few ordinary off-topic texts ("tennis elbow", "what time is it"),
    # which left the examples, and one of set 29's held off-topic rows had leaned on them.
    ("29", "held29", 108, 38, 23),
    # Set 31 (ninth session: the situation first and the question last, "is it ok to", "x or y?",
    # emojis, second-language grammar, brand names, stoic writers, prevention); first scores:
    # dev31 157/174, 51/60, 29/36; held31 107/116, 37/40, 24/24.
    ("31", "held31", 107, 37, 24),
    # Set 33 (tenth session: slang and emoji, manual and night-shift workers, a story before the
    # question, asking for someone else); first scores: dev33 152/174, 55/60, 24/36; held33
    # 102/116, 37/40, 20/24.
    ("33", "held33", 102, 37, 20),
    # Set 34 (after the tuning on set 33: what people can no longer do, a greeting first, very
    # short, what others said); first scores: dev34 154/174, 57/60, 27/36; held34 99/116, 37/40, 20/24.
    ("34", "held34", 99, 37, 20),
    # Set 36 (eleventh session: context listed comma after comma, "also" and "quick q" follow-ups,
    # pregnant people, runners and office workers, phonetic misspelling); first scores: dev36
    # 146/174, 57/60, 27/36; held36 88/116, 38/40, 18/24.
    ("36", "held36", 88, 38, 18),
    # Set 37 (eleventh session: "is it normal", earlier episodes and advice read online, metaphors,
    # all lower case or all capitals); first scores: dev37 153/174, 58/60, 23/36; held37 97/116,
    # 39/40, 18/24.
    ("37", "held37", 97, 39, 18),
    # Set 38 (after the tuning on sets 36 and 37: teenagers, second-language grammar, a story before
    # the question, jokes); first scores: dev38 156/174, 56/60, 32/36; held38 103/116, 40/40, 19/24.
    ("38", "held38", 103, 40, 19),
    # Set 39 (the same: body parts and everyday objects, older men and their wives, numbers and
    # timelines, very short); first scores: dev39 154/174, 56/60, 26/36; held39 98/116, 40/40, 21/24.
    ("39", "held39", 98, 40, 21),
    # Set 41 (twelfth session: people who hedge, carers and care-home staff, emoji and abbreviations,
    # Indian, Ghanaian, Jamaican, Malaysian and Welsh English); first scores: dev41 158/174, 57/60,
    # 28/36; held41 99/116, 39/40, 21/24.
    ("41", "held41", 99, 39, 21),
    # Set 42 (mid-conversation openings, cyclists, climbers, riders and dancers, a friend in the
    # third person, run-on sentences); first scores: dev42 151/174, 59/60, 28/36; held42 104/116,
    # 39/40, 20/24.
    ("42", "held42", 104, 39, 20),
    # Set 43 (timelines, parents of babies, students and shift workers, practical questions,
    # misspelt long words); first scores: dev43 149/174, 57/60, 32/36; held43 100/116, 39/40, 20/24.
    ("43", "held43", 100, 39, 20),
    # Set 45 (thirteenth session: people in their seventies and eighties, dictation without
    # punctuation, comparisons, very short); first scores: dev45 154/174, 57/60, 29/36; held45
    # 103/116, 38/40, 19/24.
    ("45", "held45", 103, 38, 19),
    # Set 46 (builders, nurses, drivers and gym-goers, the day first and the question after, when it
    # started, Polish, Spanish, Filipino, Nigerian and Pakistani English); first scores: dev46
    # 156/174, 60/60, 29/36; held46 109/116, 37/40, 22/24.
    ("46", "held46", 109, 37, 22),
    # Set 47 (lists and dashes, teenagers' slang, late at night, "X or Y?"); first scores: dev47
    # 157/174, 58/60, 28/36; held47 101/116, 38/40, 17/24.
    ("47", "held47", 101, 38, 17),
    # Set 49 (fourteenth session: sorry-to-ask and hedged questions, the question left implied, a
    # second unrelated remark, very short); first scores: dev49 157/174, 52/60, 33/36; held49
    # 100/116, 38/40, 17/24.
    ("49", "held49", 100, 38, 17),
    # Set 50 (shift workers, parents, carers, cleaners, drivers and students, small talk first, how
    # long it has lasted, Indian, Ghanaian, Romanian, Brazilian and Chinese English); first scores:
    # dev50 156/174, 58/60, 26/36; held50 106/116, 39/40, 22/24.
    # Fifteenth session: the dev messages of sets 53-55 the engine got wrong joined the examples;
    # held parts +8 in scope, +1 off-topic, +2 two questions together, held50 -1 and held55 -2 in
    # scope (counts only read).
    ("50", "held50", 104, 39, 22),
    # Set 51 (fragments and "and then", lol/omg/ngl, older people writing formally, "should I / can
    # I / is it bad to"); first scores: dev51 150/174, 55/60, 32/36; held51 103/116, 38/40, 17/24.
    ("51", "held51", 101, 38, 17),
    # Set 53 (fifteenth session: tradespeople, nurses, new parents, pensioners and gym-goers, the
    # question left implied, two things joined by "and" / "also" / "plus", very short); first
    # scores: dev53 153/174, 58/60, 29/36; held53 103/116, 38/40, 22/24.
    ("53", "held53", 103, 38, 22),
    # Set 54 (what they already tried, "how long / when / how often", how long it has lasted,
    # Nigerian, Pakistani, Polish, Filipino and Jamaican English); first scores: dev54 158/174,
    # 59/60, 28/36; held54 104/116, 38/40, 20/24.
    ("54", "held54", 104, 38, 20),
    # Set 55 (jokes and understatement, the question after two sentences, an elderly parent or a
    # teenager, "is it ok to / should I / what if I"); first scores: dev55 152/174, 58/60, 28/36;
    # held55 103/116, 40/40, 20/24.
    ("55", "held55", 100, 40, 20),
    # Set 57 (sixteenth session: drivers, cleaners, farmers, teachers, students and retired people,
    # the question left implied, two things at once, very short; Indian, Ghanaian and Singaporean
    # English); first scores: dev57 159/174, 57/60, 32/36; held57 96/116, 40/40, 19/24.
    ("57", "held57", 96, 40, 19),
    # Set 58 (what they tried, "how long / how often / how much", how long it has lasted; Scottish,
    # Northern English, Caribbean, Malaysian and Hong Kong English); first scores: dev58 156/174,
    # 60/60, 29/36; held58 106/116, 39/40, 18/24.
    ("58", "held58", 106, 39, 18),
    # Set 59 (downplaying, the question after two sentences, a grandparent, a pregnant partner or a
    # teenager, "is it normal / should I worry"); first scores: dev59 150/174, 57/60, 28/36; held59
    # 102/116, 39/40, 17/24.
    ("59", "held59", 102, 39, 17),
    # Set 22: written at the seventh session's start, kept aside whole, scored once at its end.
    # Off-topic 90 -> 89 in the eighth session: set 29's held part repeats four example texts,
    # which left the examples (a kept-aside text is never an example), among them an off-topic one.
    # Two questions 49 -> 48: the night safety question (check-night) is asked first on one.
    # Off-topic 89 -> 88 in the ninth session: sets 30 and 31 repeat 14 example texts, which left
    # the examples.
    # Off-topic 88 -> 87 in the thirteenth session: the missed dev messages of sets 45-47 joined the
    # examples (held parts +7 in scope, +1 two questions; this set +3 in scope).
    ("22", "final22", 265, 86, 48),
    # Set 27: written at the eighth session's start, kept aside whole, scored once at its end.
    ("27", "final27", 257, 91, 48),
    # Set 30: written at the ninth session's start, kept aside whole, scored once at its end.
    ("30", "final30", 274, 96, 47),
    # Set 32: written at the tenth session's start, kept aside whole, scored once at its end (the
    # session-start engine: 263/290, 95/100, 44/60).
    ("32", "final32", 263, 95, 45),
    # Set 35: written at the eleventh session's start, kept aside whole, scored once at its end (the
    # session-start engine: 250/290, 93/100, 52/60).
    ("35", "final35", 250, 94, 53),
    # Set 40: written at the twelfth session's start, kept aside whole, scored once at its end (the
    # session-start engine: 253/290, 95/100, 53/60).
    # Off-topic 96 -> 95 in the thirteenth session, with the same examples (this set +1 in scope).
    ("40", "final40", 257, 95, 54),
    # Set 44: written at the thirteenth session's start, kept aside whole, scored once at its end (the
    # session-start engine: 265/290, 93/100, 49/60). Two questions 49 -> 48: the new examples.
    ("44", "final44", 264, 95, 49),
    # Set 48: written at the fourteenth session's start, kept aside whole, scored once at its end (the
    # session-start engine: 260/290, 94/100, 53/60).
    ("48", "final48", 262, 95, 54),
    # Set 52: written at the fifteenth session's start, kept aside whole, scored once at its end (the
    # session-start engine: 263/290, 99/100, 52/60). Two questions 52 -> 51 in the sixteenth
    # session: 15 example texts that sets 56-59's held and kept-aside parts repeat left the examples.
    ("52", "final52", 264, 99, 51),
    # Set 56: written at the sixteenth session's start, kept aside whole, scored once at its end (the
    # session-start engine: 261/290, 98/100, 50/60).
    ("56", "final56", 261, 98, 51),
]


@pytest.mark.parametrize(("n", "split", "answer", "off", "two"), KEPT_ASIDE_FLOORS)
def test_parts_nobody_tuned_on_do_not_regress(engine: AnswerEngine, n: str, split: str, answer: int, off: int, two: int) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1]))
    from bench.answers import blind_judge

    with (DATA.parent / f"answers_blind{n}.tsv").open(encoding="utf-8", newline="") as fh:
        part = [r for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE) if r["split"] == split]
    right = {"answer": 0, "off": 0, "two": 0}
    for r in part:
        right[r["kind"]] += blind_judge(r["kind"], r["expected"], engine.answer(r["text"]))
    assert right["answer"] >= answer and right["off"] >= off and right["two"] >= two, right
