"""The nearest-example vote for warning signs (bot/core/flag_examples.py), on small made-up sets."""

from pathlib import Path

import pytest

from bot.core.answers import AnswerEngine
from bot.core.flag_examples import FlagExamples, read_examples

LEGS = [
    "my legs wont hold me up at all",
    "both legs gone weak and wobbly",
    "legs buckling under me since the back went",
    "cant stand my legs just give way",
    "legs like jelly cant hold me",
]
ORDINARY = [
    "is heat or ice better for my back",
    "how long does a back spasm last",
    "stretches for a tight lower back",
    "should i stay in bed with back pain",
    "my dog has a sore back leg",
]


def voter(examples):
    return FlagExamples(examples, lambda text: text.lower().split())


def test_a_message_like_several_examples_of_one_sign_votes_for_it():
    v = voter([("both-legs", t) for t in LEGS] + [("none", t) for t in ORDINARY])
    assert v.vote("my legs wont hold me up they give way".split()) == "both-legs"


def test_a_message_like_ordinary_ones_gets_no_vote():
    v = voter([("both-legs", t) for t in LEGS] + [("none", t) for t in ORDINARY])
    assert v.vote("is ice or heat better for a back spasm".split()) is None


def test_an_ordinary_nearest_example_means_no_vote():
    examples = [("both-legs", t) for t in LEGS] + [("none", "my legs wont hold the shelf up, need a hand")]
    assert voter(examples).vote("my legs wont hold the shelf up".split()) is None


def test_empty_examples_never_vote():
    assert voter([]).vote("my legs wont hold me".split()) is None


def test_the_example_file_reads_and_refuses_blank_rows(tmp_path: Path):
    good = tmp_path / "ex.tsv"
    good.write_text("# a note\nlabel\ttext\nnone\thello there\n", encoding="utf-8")
    assert read_examples(good) == [("none", "hello there")]
    bad = tmp_path / "bad.tsv"
    bad.write_text("label\ttext\nnone\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="without a label or text"):
        read_examples(bad)


def test_the_shipped_examples_use_only_known_signs_and_the_engine_loads_them():
    engine = AnswerEngine.from_dir()
    assert len(engine.flag_examples) > 3000
    assert set(engine.flag_examples.labels) <= {f.id for f in engine.redflags.flags} | {"none"}


def test_wordings_no_rule_knows_get_the_signs_safety_question_and_ordinary_ones_do_not():
    """Reworded from development rows that only the examples caught (round 9; the bra strap one
    of round 9 is now read by a rule, so a vice round the ribs from a later round stood in, and
    since the ribs in a vice are read by a rule too (tenth session), a vice with no body part;
    "out of nowhere" left the tearing one in the sixteenth session, when a rule learnt it as sudden)."""
    engine = AnswerEngine.from_dir()
    for text, check in [
        ("my mum screamed that her back felt like it was being torn open", "check-tearing"),
        ("like being squeezed in a vice front and back", "check-chest"),
    ]:
        assert engine.redflags.assess(engine.normaliser.tokens(text)).check is None  # no rule
        reply = engine.answer(text)
        assert (reply.kind, reply.check) == ("check", check), text
        assert reply.then is not None  # No gives the answer it would have given
    for text in ("back pain", "what stretches help a tight lower back", "ice or heat for a back spasm"):
        assert engine.answer(text).kind != "check", text


def test_no_example_is_a_message_that_measures_generalisation():
    """The held parts of every blind set score messages the examples never saw: none of their
    texts may be an example (helpers sometimes wrote the same message twice)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    import flag_examples

    measured = flag_examples.kept_aside()
    examples = {flag_examples.key(t) for _, t in read_examples(Path(__file__).parents[1] / "content" / "redflag_examples.tsv")}
    assert len(measured) > 1500 and not (examples & measured)


def test_the_file_is_what_the_script_writes():
    import sys

    sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
    import flag_examples

    assert read_examples(Path(__file__).parents[1] / "content" / "redflag_examples.tsv") == flag_examples.examples()


def test_everyday_words_rare_in_the_examples_do_not_start_a_vote():
    """"day", "week", "really" are as rare as sign words but as common in ordinary messages."""
    engine = AnswerEngine.from_dir()
    # The first is a labelled question (tests/data/questions.tsv) that got the cauda equina
    # question when any rare word counted.
    for text in ("back pain stopping me doing anything day to day for weeks",
                 "my back pain has stopped me doing much day to day for a couple of weeks"):
        assert engine.answer(text).kind != "check", text
