"""How the wording of a question steers the ranking: its framing (a story of what happened, or a
request for advice) and the topics' multi-word keywords read as whole phrases.

The topics are written here, in twin pairs that share their subject words, so only the feature under
test can tell them apart; the real lexicon, messages and red flags are used.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest

from bot.core.answers import AnswerEngine, Tuning
from bot.core.content import DEFAULT_CONTENT_DIR, load_content
from bot.core.redflags import load_redflags
from bot.core.text import load_lexicon

CATEGORIES = """
[[category]]
id = "causes"
title = "Causes"
intro = "Pick one."

[[category]]
id = "prevention"
title = "Prevention"
intro = "Pick one."
"""

CAUSES = '''
category = "causes"

[[topic]]
id = "lifting-cause"
title = "Lifting"
keywords = ["lifting", "heavy box", "carry"]
synonyms = ["heavy box"]
questions = ["lifting a heavy box and back spasms"]
source = "Test"
body = "<b>Lifting as a cause</b>\\nA heavy load lifted badly can strain the back."

[[topic]]
id = "golf"
title = "Golf"
keywords = ["golf", "swing"]
questions = ["can golf cause back spasms"]
source = "Test"
body = "<b>Golf</b>\\nThe swing twists the spine."
'''

PREVENTION = '''
category = "prevention"

[[topic]]
id = "lifting-advice"
title = "Lifting"
keywords = ["lifting", "heavy box", "carry"]
synonyms = ["heavy box"]
questions = ["lifting a heavy box and back spasms"]
source = "Test"
body = "<b>Lifting well</b>\\nBend your knees and keep the load close."

[[topic]]
id = "posture"
title = "Posture"
keywords = ["posture", "desk", "chair"]
questions = ["how should i sit at my desk"]
source = "Test"
body = "<b>Posture</b>\\nSit back in your chair."
'''


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("content")
    (root / "topics").mkdir()
    (root / "categories.toml").write_text(CATEGORIES, encoding="utf-8")
    (root / "topics" / "causes.toml").write_text(CAUSES, encoding="utf-8")
    (root / "topics" / "prevention.toml").write_text(PREVENTION, encoding="utf-8")
    for name in ("messages.toml", "lexicon.toml", "redflags.toml"):
        shutil.copy(DEFAULT_CONTENT_DIR / name, root / name)
    lexicon = root / "lexicon.toml"
    text = re.sub(r'(?m)^general_topic = ".*"$', 'general_topic = ""', lexicon.read_text(encoding="utf-8"))
    text = re.sub(r'(?m)^cause_topic = ".*"$', 'cause_topic = ""', text)
    lexicon.write_text(text, encoding="utf-8")
    return root


def build(root: Path, **tuning: float) -> AnswerEngine:
    return AnswerEngine(
        load_content(root),
        load_lexicon(root / "lexicon.toml"),
        load_redflags(root / "redflags.toml"),
        dataclasses.replace(Tuning(), **tuning),
    )


@pytest.fixture(scope="module")
def engine(root: Path) -> AnswerEngine:
    return build(root)


# --- framing --------------------------------------------------------------------------------------

STORIES = [
    "lifted a heavy box and now my back is in spasm",  # an -ed verb and "and now"
    "I carried a heavy box yesterday, back spasms",
    "hurt my back lifting a heavy box",
]
REQUESTS = ["how do I lift a heavy box", "best way to carry a heavy box", "tips for lifting a heavy box"]


@pytest.mark.parametrize("text", STORIES)
def test_a_story_gets_the_cause(engine: AnswerEngine, text: str) -> None:
    assert engine.analyse(engine.normaliser.tokens(text)).framing == "story"
    reply = engine.answer(text)
    assert (reply.kind, reply.topics) == ("answer", ("lifting-cause",))


@pytest.mark.parametrize("text", REQUESTS)
def test_a_request_for_advice_gets_the_advice(engine: AnswerEngine, text: str) -> None:
    assert engine.analyse(engine.normaliser.tokens(text)).framing == "advice"
    reply = engine.answer(text)
    assert (reply.kind, reply.topics) == ("answer", ("lifting-advice",))


@pytest.mark.parametrize("text", [STORIES[0], REQUESTS[0], "heavy box lifting back spasm"])
def test_without_framing_the_twins_tie(root: Path, text: str) -> None:
    reply = build(root, framing=0.0).answer(text)
    assert reply.kind == "clarify"
    assert set(reply.topics) == {"lifting-cause", "lifting-advice"}


@pytest.mark.parametrize(
    "text",
    [
        "heavy box lifting back spasm",  # neither mark
        "I lifted a heavy box, how do I stop it happening",  # both marks
        "I'm tired, is lifting a heavy box bad for back spasms",  # "tired" is a state, not an event
    ],
)
def test_no_framing_when_the_wording_is_mixed_or_silent(engine: AnswerEngine, text: str) -> None:
    assert engine.analyse(engine.normaliser.tokens(text)).framing == ""


def test_real_framing_names_real_categories() -> None:
    # The engine skips category ids the content lacks, so a typo there would go unnoticed.
    framing = load_lexicon().framing
    categories = {c.id for c in load_content().categories}
    assert framing.story_categories and framing.advice_categories
    assert framing.story_categories | framing.advice_categories <= categories
    assert not framing.story_categories & framing.advice_categories


# --- multi-word keywords --------------------------------------------------------------------------

# Twins again: the same words, as one phrase in the first and as two keywords in the second.
PHRASE_TOPICS = '''
category = "causes"

[[topic]]
id = "one-phrase"
title = "Twin"
keywords = ["school run"]
questions = ["back pain and the morning routine"]
source = "Test"
body = "<b>Twin</b>\\nOne of two."

[[topic]]
id = "two-words"
title = "Twin"
keywords = ["school", "run"]
questions = ["back pain and the morning routine"]
source = "Test"
body = "<b>Twin</b>\\nOne of two."

[[topic]]
id = "golf"
title = "Golf"
keywords = ["golf", "swing"]
questions = ["can golf cause back spasms"]
source = "Test"
body = "<b>Golf</b>\\nThe swing twists the spine."

[[topic]]
id = "posture"
title = "Posture"
keywords = ["posture", "desk", "chair"]
questions = ["how should i sit at my desk"]
source = "Test"
body = "<b>Posture</b>\\nSit back in your chair."
'''


@pytest.fixture(scope="module")
def phrase_root(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    other = tmp_path_factory.mktemp("phrases")
    shutil.copytree(root, other, dirs_exist_ok=True)
    (other / "topics" / "prevention.toml").unlink()
    (other / "topics" / "causes.toml").write_text(PHRASE_TOPICS, encoding="utf-8")
    (other / "categories.toml").write_text(CATEGORIES.split("\n\n[[category]]\nid = \"prevention\"")[0], encoding="utf-8")
    return other


def scores(engine: AnswerEngine, text: str) -> dict[str, float]:
    return {r.topic_id: r.score for r in engine.rank(engine.analyse(engine.normaliser.tokens(text)), top=5)}


def test_a_multi_word_keyword_counts_most_when_matched_whole(phrase_root: Path) -> None:
    engine = build(phrase_root)
    whole = scores(engine, "back spasms since the school run")
    assert whole["one-phrase"] > whole["two-words"]
    # One of its words alone is weaker evidence than the same word listed on its own.
    part = scores(engine, "back spasms when i run")
    assert part["two-words"] > 1.1 * part["one-phrase"]


def test_without_phrases_the_twins_tie(phrase_root: Path) -> None:
    flat = build(phrase_root, phrase_word_share=1.0, entry_phrase=0.0)
    whole = scores(flat, "back spasms since the school run")
    assert whole["one-phrase"] == pytest.approx(whole["two-words"])
    assert flat.answer("back spasms since the school run").kind == "clarify"
