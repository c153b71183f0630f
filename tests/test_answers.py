"""The free-text engine: reply kinds, thresholds, small talk, odd input and the JSON shape.

Most tests run on a small set of topics written here (with the real messages, lexicon and red flags),
so they do not move when the real topics are edited; a few check the real content too.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from bot.core.answers import RANK_TOKEN_LIMIT, AnswerEngine, Reply
from bot.core.content import DEFAULT_CONTENT_DIR, ContentError
from bot.core.telegram_html import check_message_text

TOPICS = '''
category = "care"

[[topic]]
id = "ice-or-heat"
title = "Ice or heat?"
keywords = ["ice", "ice pack", "heat", "heat pad", "hot water bottle", "cold"]
synonyms = ["ice or heat", "hot or cold"]
questions = ["should i use ice or heat on my back", "is a heat pad good for a spasm"]
related = ["lift-safely", "hammock-one", "hammock-two"]
source = "Test"
body = "<b>Ice or heat</b>\\nUse whichever helps, wrapped, 10 to 20 minutes."

[[topic]]
id = "lift-safely"
title = "Lift safely"
keywords = ["lift", "lifting", "carry", "bend your knees", "boxes"]
synonyms = ["how to lift", "picking things up"]
questions = ["how do i lift a heavy box without hurting my back"]
related = ["ice-or-heat"]
source = "Test"
body = "<b>Lift safely</b>\\nBend your knees and keep the load close."

[[topic]]
id = "hammock-one"
title = "Hammock"
keywords = ["hammock", "swinging bed"]
questions = ["does sleeping in a hammock hurt my back"]
source = "Test"
body = "<b>Hammock one</b>\\nFirst of two twins."

[[topic]]
id = "hammock-two"
title = "Hammock"
keywords = ["hammock", "swinging bed"]
questions = ["does sleeping in a hammock hurt my back"]
source = "Test"
body = "<b>Hammock two</b>\\nSecond of two twins."

[[topic]]
id = "about-spasms"
title = "What is a back spasm?"
keywords = ["spasm", "definition"]
questions = ["what is a back spasm"]
source = "Test"
body = "<b>About spasms</b>\\nA muscle that tightens by itself."

[[topic]]
id = "emergency-signs"
title = "Emergency signs"
keywords = ["emergency", "ambulance", "999"]
questions = ["when is back pain an emergency"]
source = "Test"
body = "<b>Emergency</b>\\nCall 112 / 911 / 999."

[[topic]]
id = "see-doctor-today"
title = "See a doctor today"
keywords = ["same day", "urgent care", "111"]
questions = ["when should i see a doctor today"]
source = "Test"
body = "<b>Today</b>\\nSee a doctor today."
'''


def write_content(root: Path) -> Path:
    (root / "topics").mkdir(parents=True)
    (root / "categories.toml").write_text(
        '[[category]]\nid = "care"\ntitle = "Care"\nintro = "Pick a topic."\n', encoding="utf-8"
    )
    (root / "topics" / "care.toml").write_text(TOPICS, encoding="utf-8")
    # The real interface texts, lexicon and red flags; only the topics are ours.
    for name in ("messages.toml", "lexicon.toml", "redflags.toml"):
        shutil.copy(DEFAULT_CONTENT_DIR / name, root / name)
    lexicon = root / "lexicon.toml"
    text = re.sub(r'(?m)^general_topic = ".*"$', 'general_topic = "about-spasms"', lexicon.read_text(encoding="utf-8"))
    text = re.sub(r'(?m)^cause_topic = ".*"$', 'cause_topic = ""', text)
    lexicon.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> AnswerEngine:
    return AnswerEngine.from_dir(write_content(tmp_path_factory.mktemp("content")))


@pytest.fixture(scope="module")
def real() -> AnswerEngine:
    return AnswerEngine.from_dir()


# --- kinds ---------------------------------------------------------------------------------------


def test_confident_answer_is_body_plus_disclaimer(engine: AnswerEngine) -> None:
    reply = engine.answer("should I put ice or heat on my back?")
    assert reply.kind == "answer"
    assert reply.topics == ("ice-or-heat",)
    topic = engine.content.topics["ice-or-heat"]
    assert reply.text == topic.body + "\n\n" + engine.messages.disclaimer
    assert reply.related == ("lift-safely", "hammock-one")  # at most two
    assert 0 < reply.score <= 1
    assert reply.level is None


def test_typos_plurals_and_synonyms_still_answer(engine: AnswerEngine) -> None:
    assert engine.answer("shuld i use an icepack on my bakc").topics == ("ice-or-heat",)
    assert engine.answer("LIFTING boxes!!").topics == ("lift-safely",)
    assert engine.answer("carrying heavy stuff hurts my back").topics == ("lift-safely",)


def test_two_close_topics_ask_which_one(engine: AnswerEngine) -> None:
    reply = engine.answer("my back hurts after a night in a hammock")
    assert reply.kind == "clarify"
    assert set(reply.topics) == {"hammock-one", "hammock-two"}
    assert reply.text == engine.messages.clarify


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather tomorrow",
        "recipe for banana bread",
        "back to the future cast list",
        "the back garden fence blew down",
    ],
)
def test_out_of_scope_is_no_match(engine: AnswerEngine, text: str) -> None:
    reply = engine.answer(text)
    assert (reply.kind, reply.topics, reply.text) == ("no_match", (), engine.messages.no_match)


@pytest.mark.parametrize(
    ("text", "level", "topic", "message"),
    [
        ("I can't pee since my back went", "emergency", "emergency-signs", "emergency"),
        ("hi, thanks, my back spasms and I have chest pain", "emergency", "emergency-signs", "emergency"),
        ("should I use ice or heat? I also have a fever", "same_day", "see-doctor-today", "same_day"),
    ],
)
def test_red_flags_come_first(engine: AnswerEngine, text: str, level: str, topic: str, message: str) -> None:
    reply = engine.answer(text)
    assert (reply.kind, reply.level, reply.topics) == ("urgent", level, (topic,))
    # The action comes first; then one line naming the sign found.
    assert reply.text.startswith(getattr(engine.messages, message))
    assert reply.text.rstrip().splitlines()[-1].startswith("You mentioned: ")


def test_denied_same_day_sign_gets_a_normal_answer(engine: AnswerEngine) -> None:
    assert engine.answer("no fever, should I use ice or heat").topics == ("ice-or-heat",)


@pytest.mark.parametrize("text", ["back spasm", "back pain", "my back spasms", "SPASM"])
def test_subject_alone_gets_the_general_topic(real: AnswerEngine, text: str) -> None:
    reply = real.answer(text)
    assert (reply.kind, reply.topics) == ("answer", (real.lexicon.general_topic,))
    assert reply.score < 0.5  # a guess, and it says so


def test_subject_plus_something_unknown_is_no_match(real: AnswerEngine) -> None:
    assert real.answer("tattoo and back spasms").kind == "no_match"


@pytest.mark.parametrize(
    "name, setting", [("general_topic", 'general_topic = "about-spasms"'), ("cause_topic", 'cause_topic = ""')]
)
def test_the_lexicons_topics_must_exist(tmp_path: Path, name: str, setting: str) -> None:
    root = write_content(tmp_path / "content")
    lexicon = root / "lexicon.toml"
    text = lexicon.read_text(encoding="utf-8")
    assert setting in text
    lexicon.write_text(text.replace(setting, f'{name} = "no-such-topic"'), encoding="utf-8")
    with pytest.raises(ContentError, match=f"lexicon.toml: {name}: unknown topic 'no-such-topic'"):
        AnswerEngine.from_dir(root)


# --- small talk --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("good morning", "greeting"),
        ("thanks!!", "thanks"),
        ("thank you so much", "thanks"),
        ("thnaks", "thanks"),
        ("help", "help"),
        ("what can you do?", "help"),
        ("bye", "goodbye"),
        ("ok thanks, bye", "thanks"),
    ],
)
def test_small_talk(engine: AnswerEngine, text: str, level: str) -> None:
    reply = engine.answer(text)
    assert (reply.kind, reply.level, reply.topics) == ("smalltalk", level, ())
    assert reply.text == getattr(engine.messages, level)


@pytest.mark.parametrize(
    "text",
    ["hi my back is killing me, should I use ice", "thanks, but how do I lift boxes", "help, ice or heat?"],
)
def test_greeting_with_a_question_is_a_question(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind == "answer"


# --- odd input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None])
def test_empty_is_no_match(engine: AnswerEngine, text: str | None) -> None:
    reply = engine.answer(text)  # type: ignore[arg-type]
    assert reply.kind == "no_match"
    assert reply.text == engine.messages.no_match


@pytest.mark.parametrize("text, level", [("😀😀😀", "ack"), ("🤕 🙏", "ack"), ("?!?!", "help"), ("...?", "help")])
def test_emoji_or_punctuation_alone_gets_a_nod_or_help(engine: AnswerEngine, text: str, level: str) -> None:
    reply = engine.answer(text)
    assert (reply.kind, reply.level) == ("smalltalk", level)


def test_html_looking_input_is_never_echoed(engine: AnswerEngine) -> None:
    nasty = '<script>alert("x")</script> <b>ice</b> or <i>heat</i>? &amp; <a href="http://evil">x</a>'
    for text in (nasty, "<b>hello</b>", "<<<>>>", "I can't pee <script>"):
        reply = engine.answer(text)
        assert "<script>" not in reply.text and "evil" not in reply.text
        assert check_message_text(reply.text) is None  # Telegram would accept it


def test_long_message_ranks_its_start_and_scans_all_of_it_for_flags(engine: AnswerEngine) -> None:
    head = "should I use ice or heat on my back? "
    filler = "It has been a long week at work and I am tired of it all. " * 90
    text = head + filler
    assert len(text) > 5000
    assert engine.answer(text).topics == ("ice-or-heat",)
    assert engine.answer(filler + head).kind == "no_match"  # the question sits past the ranked prefix
    assert len((filler + head).split()) > RANK_TOKEN_LIMIT
    assert engine.answer(text + " Also both my legs are numb.").level == "emergency"


def test_one_enormous_word_does_not_break_anything(engine: AnswerEngine) -> None:
    assert engine.answer("a" * 6000).kind == "no_match"
    assert engine.answer("spasm" * 1000).kind == "no_match"


def test_answers_are_deterministic(engine: AnswerEngine) -> None:
    question = "how do I lift a box without hurting my back"
    assert len({engine.answer(question) for _ in range(5)}) == 1


# --- the JSON shape ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["ice or heat for my back", "hammock back pain", "hello", "I can't pee", "pizza"])
def test_json_shape(engine: AnswerEngine, text: str) -> None:
    data = engine.answer(text).to_json()
    assert {"kind", "topics", "score", "text"} <= set(data) <= {"kind", "topics", "score", "text", "level", "check", "if_no"}
    assert data["kind"] in {"answer", "clarify", "no_match", "urgent", "smalltalk", "check"}
    assert isinstance(data["topics"], list) and all(isinstance(t, str) for t in data["topics"])
    assert isinstance(data["score"], float) and 0 <= data["score"] <= 1
    assert isinstance(data["text"], str) and data["text"]
    assert json.loads(json.dumps(data)) == data


def test_reply_is_frozen() -> None:
    reply = Reply("no_match", (), 0.0, "x")
    with pytest.raises(AttributeError):
        reply.kind = "answer"  # type: ignore[misc]


# --- the real content --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my back seized up after golf", {"sports-repetition", "strained-muscle"}),
        ("should i use ice or heat", {"ice-or-heat"}),
        ("how much ibuprofen can I take", {"pain-relief"}),
        ("is a back brace worth it", {"back-brace"}),
    ],
)
def test_real_content_examples(real: AnswerEngine, text: str, expected: set[str]) -> None:
    reply = real.answer(text)
    assert reply.kind == "answer" and reply.topics[0] in expected


def test_every_real_topic_is_found_by_its_own_example_questions(real: AnswerEngine) -> None:
    found = 0
    total = 0
    for topic in real.content.topics.values():
        replies = [real.answer(q) for q in topic.questions]
        total += len(replies)
        found += sum(r.kind == "answer" and r.topics[0] == topic.id for r in replies)
        # Each topic is reachable: at least one of its questions leads to it, alone or as an option.
        assert any(topic.id in r.topics for r in replies), topic.id
    assert found / total >= 0.9
