"""Asking what caused it (lexicon.toml [framing] cause): the causes answer, even when the message
names a thing to do. Sentences written for this test, not taken from the blind sets."""

from __future__ import annotations

import pytest

from bot.core.answers import AnswerEngine


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    return AnswerEngine.from_dir()


@pytest.mark.parametrize(
    "text, topic",
    [
        ("is it the lifting at work thats causing my back spasms", "posture-and-lifting"),
        # Hot weather and water name a cause too (lexicon cause_topics), though they sit in prevention.
        ("could being dehydrated be why my back keeps spasming", "heat-and-hydration"),
        ("is sweating all day on site the cause of my back cramps", "heat-and-hydration"),
        ("could low potassium be why my back keeps spasming", "low-minerals"),
        # ... and so does pain that comes later, when the message has that topic's own keywords
        # ("the day after", "next morning"), not only a story's words ("lifting at work", above).
        ("why is my back so much worse the next morning than when i hurt it", "pain-hours-later"),
        ("why does my back hurt more the day after", "pain-hours-later"),
        ("is my gym routine to blame for my back going", "too-much-exercise"),
        # A follow-up naming no back and one telling word: asking whether that caused it is about the spasm.
        ("might it be my arthritis?", "other-causes"),
        ("hmm what about all my slouching, could that be it", "posture-and-lifting"),
        ("could it be from squash", "sports-repetition"),
    ],
)
def test_asking_what_caused_it_gets_the_cause(engine: AnswerEngine, text: str, topic: str) -> None:
    reply = engine.answer(text)
    assert reply.kind == "answer" and reply.topics[0] == topic


@pytest.mark.parametrize(
    "text, topic",
    [("how should i lift boxes at work", "lift-safely"), ("how do i stay hydrated in a heatwave", "heat-and-hydration")],
)
def test_asking_what_to_do_still_gets_the_advice(engine: AnswerEngine, text: str, topic: str) -> None:
    reply = engine.answer(text)
    assert reply.kind == "answer" and reply.topics[0] == topic


def test_a_cause_question_is_framed_as_one(engine: AnswerEngine) -> None:
    query = engine.analyse(engine.normaliser.tokens("how do i lift, and is lifting what caused it"))
    assert query.framing == "cause"


@pytest.mark.parametrize("text", ["could it be the weather app", "might it be my phone charger"])
def test_a_cause_question_about_something_we_do_not_cover_is_still_declined(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind in ("no_match", "smalltalk")


@pytest.mark.parametrize("text", ["wot causes it??", "causes?", "so what causes them"])
def test_asking_only_what_causes_it_gets_the_causes_topic(engine: AnswerEngine, text: str) -> None:
    reply = engine.answer(text)
    assert reply.kind == "answer" and reply.topics[0] == engine.lexicon.cause_topic == "muscle-injury"


@pytest.mark.parametrize("text", ["what causes hiccups", "what causes a knee spasm"])
def test_what_causes_something_else_is_not_ours(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind in ("no_match", "smalltalk")


@pytest.mark.parametrize(
    "text",
    ["spasm's eased off now, what exercises to strengthen my back?", "my back has settled, which exercises make it strong again"],
)
def test_how_the_spasm_is_now_is_no_story_of_what_set_it_off(engine: AnswerEngine, text: str) -> None:
    """ "Eased", "settled" say how the spasm is now (lexicon past_tense_not_story), so the message
    is not framed as a story wanting a cause (weak back muscles) but asks what to do next."""
    assert engine.analyse(engine.normaliser.tokens(text)).framing != "story"
    reply = engine.answer(text)
    assert reply.kind == "answer" and reply.topics[0] == "rebuild-strength"
