"""Questions people wrote blind as examples for the answer engine (content/question_examples.tsv):
what they do, what they must never do, and that they generalise."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

from bot.core.answers import AnswerEngine
from bot.core.content import DEFAULT_CONTENT_DIR, ContentError
from bot.core.flag_examples import read_examples

DATA = Path(__file__).parent / "data"
EXAMPLES = DEFAULT_CONTENT_DIR / "question_examples.tsv"


def build(examples: list[tuple[str, str]]) -> AnswerEngine:
    return AnswerEngine.from_dir(question_examples=examples)


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    return AnswerEngine.from_dir()


@pytest.fixture(scope="module")
def bare() -> AnswerEngine:
    return build([])


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def key(text: str) -> str:
    return " ".join(text.lower().split())


def test_the_shipped_examples_name_known_topics_and_the_engine_loads_them(engine: AnswerEngine) -> None:
    examples = read_examples(EXAMPLES)
    assert len(examples) >= 700
    assert {label for label, _ in examples} <= set(engine.content.topics) | {"none", "any"}
    topical = [label for label, _ in examples if label in engine.content.topics]
    assert sum(len(v) for v in engine._people_questions.values()) == len(topical)
    assert 500 <= len(examples) - len(topical) < len(topical)  # off-topic and two-question messages too


def test_an_unknown_topic_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as err:
        build([("no-such-topic", "is ice good for my back")])
    assert any("question_examples.tsv" in p and "no-such-topic" in p for p in err.value.problems)


def test_no_example_is_a_message_kept_aside() -> None:
    """The held parts of every blind answers set, set 11 (kept aside whole) and the labelled
    set's held part measure generalisation: none may be an example."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    import question_examples

    held = {key(r["text"]) for n in ("", "2", "3", "4") for r in rows(f"answers_blind{n}.tsv") if r["split"].startswith("held")}
    held |= {key(r["text"]) for r in rows("answers_blind11.tsv")}
    assert held <= question_examples.kept_aside()
    examples = {key(t) for _, t in read_examples(EXAMPLES)}
    assert len(question_examples.kept_aside()) > 1500 and not (examples & question_examples.kept_aside())


def test_the_file_is_what_the_script_writes() -> None:
    """Sets 1-20 whole, then the later sets' dev messages the engine got wrong: an engine change
    that answers one of those differently needs `python bench/question_examples.py --write`."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    import question_examples

    assert read_examples(EXAMPLES) == question_examples.with_misses(question_examples.examples_from(list(question_examples.SETS)))


def test_slips_in_the_examples_never_become_trusted_words(engine: AnswerEngine, bare: AnswerEngine) -> None:
    """Examples are read like messages, typos fixed, and add no word to the typo fixer's
    vocabulary: every message reads the same with or without them."""
    texts = [t for _, t in read_examples(EXAMPLES)]
    assert any("shud" in key(t).split() for t in texts)
    for text in texts + ["shud i see a docter", "wat shud i do bout my bak spazm"]:
        assert engine.normaliser.tokens(text) == bare.normaliser.tokens(text), text


@pytest.mark.parametrize(
    "text", ["when do the kids go back to school", "how much sleep does a teenager need", "best pizza near the station"]
)
def test_everyday_words_of_the_examples_never_make_an_off_topic_message_ours(engine: AnswerEngine, text: str) -> None:
    reply = engine.answer(text)
    assert reply.kind != "answer" or reply.declined


def test_examples_from_other_writers_help_on_questions_they_never_saw() -> None:
    """Leave one blind set out: an engine with the examples of the other sets answers that set's
    development questions better than one with none (measured: +3.0 points over all four sets)."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    import question_examples as q

    bare_right = with_right = total = 0
    bare_engine = build([])
    for name in q.SETS:
        part = [r for r in q.read_set(q.SETS[name]) if r["split"].startswith("dev") and r["kind"] == "answer"]
        own = {key(r["text"]) for r in part}
        eng = build([(lab, t) for lab, t in q.examples_from([n for n in q.SETS if n != name]) if key(t) not in own])
        total += len(part)
        bare_right += sum(q.right(bare_engine, r) for r in part)
        with_right += sum(q.right(eng, r) for r in part)
    assert with_right - bare_right >= 0.02 * total, (bare_right, with_right, total)


def test_a_message_naming_no_back_that_is_most_like_off_topic_ones_is_declined() -> None:
    """bot/core/off_topic.py: the same engine, with and without off-topic examples near it."""
    ours = [("ice-or-heat", "should i put ice or a heat pack on it"), ("ice-or-heat", "is a hot water bottle good for it")]
    off = [("none", "free knitting pattern for a hot water bottle cover"),
           ("none", "how do i knit a cosy for a hot water bottle"), ("none", "crochet hot water bottle cover pattern please")]
    text = "any pattern for knitting a hot water bottle cover?"
    assert build(ours).answer(text).topics[:1] == ("ice-or-heat",)  # everyday words that fit a topic
    with_off = build(ours + off)
    assert with_off.answer(text).kind == "no_match"
    for ours_still in ("is a hot water bottle good for a spasm", "hot water bottle or ice pack",
                       "knitting a hot water bottle cover for my back spasm"):  # the last names the back: no vote
        assert with_off.answer(ours_still).topics[:1] == ("ice-or-heat",), ours_still


def test_examples_labelled_any_are_ours_but_no_topics_example() -> None:
    engine = build([("any", "ice or heat, and should i stay in bed"), ("ice-or-heat", "is ice good for it")])
    assert sum(len(v) for v in engine._people_questions.values()) == 1
