"""The real content in content/ loads, fits Telegram, reads at grade 8 or below, and stays safe;
broken content is refused with errors that name the file and the field."""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest
import textstat

from bot.core.answers import AnswerEngine
from bot.core.content import (
    DEFAULT_CONTENT_DIR,
    MAX_BUTTON_TITLE,
    Content,
    ContentError,
    load_content,
    plain_text,
)
from bot.core.telegram_html import MAX_MESSAGE_LENGTH, check_message_text, utf16_length
from bot.core.triage import load_triage

# The fixed topic list (issue 2): category id -> topic ids. Other parts of the bot refer to these ids.
EXPECTED_TOPICS = {
    "symptoms": ["what-is-a-spasm", "spasm-signs", "pain-hours-later", "untreated-spasm"],
    "causes": [
        "muscle-injury", "sports-repetition", "weak-back-muscles", "strained-muscle",
        "too-much-exercise", "posture-and-lifting", "low-minerals", "other-causes",
    ],
    "remedies": ["right-now", "keep-moving", "ice-or-heat", "rebuild-strength", "recover-carefully", "back-brace", "pain-relief"],
    "prevention": ["good-posture", "lift-safely", "regular-exercise", "change-position", "heat-and-hydration", "balanced-diet"],
    "doctor": ["emergency-signs", "see-doctor-today", "sharp-spasms", "book-appointment"],
}
CATEGORY_ORDER = ["causes", "remedies", "symptoms", "doctor", "prevention"]
MAX_GRADE = 8.0
MAX_BODY = 600  # plain-text characters, heading included: one phone screen with the buttons (issue 8)
MAX_GIST = 200  # the first paragraph under the heading answers the question in a line or two
MAX_CALLBACK_BYTES = 64

# Home-care advice that must never appear in an urgent reply: it would invite people to wait.
SELF_CARE = re.compile(
    r"\b(ice|heat|heating|hot|warm|cold pack|bath|stretch\w*|rest|bed rest|painkillers?|ibuprofen|"
    r"paracetamol|exercis\w*|keep moving|keep active|walk|walking|massage|home care)\b",
    re.IGNORECASE,
)
# Warning signs; a body naming one must say where to go.
EMERGENCY_SIGNS = re.compile(
    r"bladder|bowel|trouble peeing|numbness|both legs|chest pain|serious fall|heatstroke", re.IGNORECASE
)
SAME_DAY_SIGNS = re.compile(r"fever|without trying|worse at night|new lump", re.IGNORECASE)
DOSE = re.compile(
    r"\d+\s*(mg|g|ml|milligrams?|micrograms?|tablets?|pills?|capsules?)\b|times a day|every \d+ hours",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def all_messages(content: Content) -> dict[str, str]:
    """The HTML texts of messages.toml (buttons and profile are plain text, checked apart)."""
    return {k: v for k, v in content.messages.model_dump().items() if isinstance(v, str)}


def test_real_content_loads(content: Content):
    assert content.directory == DEFAULT_CONTENT_DIR
    assert content.topics


def test_categories_in_menu_order(content: Content):
    assert [c.id for c in content.categories] == CATEGORY_ORDER


@pytest.mark.parametrize("category_id", CATEGORY_ORDER)
def test_every_listed_topic_is_in_its_category(content: Content, category_id: str):
    ids = [t.id for t in content.topics_in(category_id)]
    assert ids, f"category {category_id} has no topics"
    missing = set(EXPECTED_TOPICS[category_id]) - set(ids)
    assert not missing, f"{category_id}: missing topics {sorted(missing)}"


def test_no_topics_outside_the_list(content: Content):
    listed = {tid for ids in EXPECTED_TOPICS.values() for tid in ids}
    assert set(content.topics) == listed


def test_bodies_and_messages_fit_telegram(content: Content):
    texts = {f"topic {t.id}": t.body for t in content.topics.values()}
    texts |= {f"message {k}": v for k, v in all_messages(content).items()}
    texts |= {f"category {c.id} intro": c.intro for c in content.categories}
    for name, text in texts.items():
        assert check_message_text(text) is None, f"{name}: {check_message_text(text)}"
        assert len(text) <= MAX_MESSAGE_LENGTH, name
        assert utf16_length(plain_text(text)) <= MAX_MESSAGE_LENGTH, name


def test_only_editor_html_is_used(content: Content):
    """Editors may use <b>, <i> and &amp; only (content/README.md), even where Telegram allows more."""
    texts = {t.id: t.body for t in content.topics.values()} | all_messages(content)
    for name, text in texts.items():
        tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9-]*)", text))
        assert tags <= {"b", "i"}, f"{name}: tags {sorted(tags)}"
        assert text.count("&") == text.count("&amp;"), f"{name}: write & as &amp;"


def test_bodies_start_with_a_bold_title_and_stay_short(content: Content):
    for topic in content.topics.values():
        first_line = topic.body.splitlines()[0]
        assert first_line.startswith("<b>") and first_line.endswith("</b>"), topic.id
        assert 300 <= len(plain_text(topic.body)), f"{topic.id}: {len(plain_text(topic.body))} chars"


def test_every_body_fits_one_phone_screen(content: Content):
    lengths = sorted(((len(plain_text(t.body)), t.id) for t in content.topics.values()), reverse=True)
    too_long = [(tid, n) for n, tid in lengths if n > MAX_BODY]
    assert not too_long, f"plain text over {MAX_BODY} characters: {too_long}"


def test_heading_is_the_button_that_opened_it(content: Content):
    """The bold first line equals the topic's title: the label of the button someone just tapped."""
    for topic in content.topics.values():
        assert topic.body.splitlines()[0] == f"<b>{topic.title}</b>", topic.id


def test_every_body_leads_with_a_short_gist(content: Content):
    """Under the heading, one short paragraph answers the question; the detail comes after it."""
    for topic in content.topics.values():
        lines = topic.body.splitlines()
        assert lines[1] == "", f"{topic.id}: a blank line after the heading"
        gist = lines[2]
        assert gist and not gist.startswith("•"), f"{topic.id}: the body starts with a list, not a gist"
        assert len(plain_text(gist)) <= MAX_GIST, f"{topic.id}: gist of {len(plain_text(gist))} characters"


def test_right_now_is_the_first_remedy(content: Content):
    topic = content.topics_in("remedies")[0]
    assert topic.id == "right-now"
    text = plain_text(topic.body)
    # What to do now, and where to go if a warning sign shows up.
    for needed in ("moving", "pillow between your knees", "towel", "10–20 minutes", "pharmacist", "999"):
        assert needed in text, needed
    assert 12 <= len(topic.questions) <= 24


def test_the_article_is_named_plainly(content: Content):
    """Readers can't see a "source article": its name is given wherever the body leans on it."""
    for topic in content.topics.values():
        text = plain_text(topic.body).lower()
        assert "source article" not in text, topic.id
        if "the article" in text:
            assert "'causes of back spasms'" in text, topic.id


def test_twin_topics_say_how_they_differ(content: Content):
    """What a spasm is vs how it feels; posture and strain as a cause vs how to lift."""
    t = content.topics
    assert t["what-is-a-spasm"].title != t["spasm-signs"].title
    assert "feel" in t["spasm-signs"].title.lower() and "what is" in t["what-is-a-spasm"].title.lower()
    assert "why" in plain_text(t["what-is-a-spasm"].body).lower()
    assert "how to lift" in t["lift-safely"].title.lower()
    assert "lift" not in t["posture-and-lifting"].title.lower()


def test_titles_and_labels_fit_a_button(content: Content):
    labels = {f"topic {t.id}": t.title for t in content.topics.values()}
    labels |= {f"category {c.id}": c.title for c in content.categories}
    labels |= {f"button {k}": v for k, v in content.messages.buttons.model_dump().items()}
    for name, label in labels.items():
        assert 0 < len(label) <= MAX_BUTTON_TITLE, name
        # Buttons show plain text: a tag or entity would appear literally.
        assert not re.search(r"[<>\n]|&\w+;", label), name


def test_profile_lists_the_commands(content: Content):
    commands = content.messages.profile.commands
    assert {"start", "menu", "help", "causes", "remedies", "triage", "reminders", "privacy", "about", "cancel"} <= set(commands)


def test_callback_data_fits_64_bytes(content: Content):
    data = [f"t:{tid}" for tid in content.topics] + [f"c:{c.id}" for c in content.categories]
    too_long = [d for d in data if len(d.encode("utf-8")) > MAX_CALLBACK_BYTES]
    assert not too_long


def test_topic_fields_are_filled_in(content: Content):
    for topic in content.topics.values():
        assert 5 <= len(topic.questions) <= 24, f"{topic.id}: {len(topic.questions)} questions"
        assert 1 <= len(topic.related) <= 3, f"{topic.id}: {len(topic.related)} related"
        assert topic.keywords and topic.synonyms, topic.id
        assert all(k.strip() == k and k for k in topic.keywords + topic.synonyms), topic.id


def test_every_body_reads_at_grade_8_or_below(content: Content):
    grades = sorted(
        ((textstat.flesch_kincaid_grade(plain_text(t.body)), t.id) for t in content.topics.values()),
        reverse=True,
    )
    print("\nFlesch-Kincaid grade, worst first:")
    for grade, tid in grades:
        print(f"  {grade:4.1f}  {tid}")
    worst_grade, worst_id = grades[0]
    assert worst_grade <= MAX_GRADE, f"{worst_id} reads at grade {worst_grade}"


def _prose(html: str) -> str:
    """Plain text for scoring: each line or bullet is a sentence of its own, as it reads on a phone."""
    lines = []
    for line in plain_text(html).splitlines():
        line = line.strip().lstrip("•").strip()
        if line:
            lines.append(line if line[-1] in ".!?:" else line + ".")
    return " ".join(lines)


def _triage_texts() -> dict[str, str]:
    triage = load_triage(DEFAULT_CONTENT_DIR / "triage.toml")
    texts = {"intro": triage.intro, "tips.general": triage.tips.general}
    for q in triage.questions:
        texts[f"questions[{q.id}].text"] = q.text
        texts[f"questions[{q.id}].reason"] = q.reason
        if q.tip:
            texts[f"questions[{q.id}].tip"] = q.tip
    for level in ("emergency", "same_day", "appointment", "self_care"):
        outcome = getattr(triage.outcomes, level)
        # An outcome reads as one text: headline, body, then the safety net.
        texts[f"outcomes.{level}"] = "\n".join(filter(None, (outcome.headline, outcome.body, outcome.safety_net)))
    return texts


def _urgent_texts() -> dict[str, str]:
    """What a person in trouble reads: each safety question, and each urgent reply as sent for its sign."""
    engine = AnswerEngine.from_dir()
    texts = {f"check {c.id}": c.question for c in engine.redflags.checks}
    texts |= {f"urgent {f.id}": engine.urgent(f.level, f.id).text for f in engine.redflags.flags}
    return texts


URGENT_TEXTS = _urgent_texts()
# Every text of the symptom check and of the urgent path, graded by the one gate below.
GRADED_TEXTS = {f"triage.toml {name}": text for name, text in _triage_texts().items()} | URGENT_TEXTS


@pytest.mark.parametrize("name", sorted(GRADED_TEXTS))
def test_every_triage_and_urgent_text_reads_at_grade_8_or_below(name: str):
    grade = textstat.flesch_kincaid_grade(_prose(GRADED_TEXTS[name]))
    assert grade <= MAX_GRADE, f"{name} reads at grade {grade}: {_prose(GRADED_TEXTS[name])}"


def test_the_grade_gate_sees_every_check_and_flag_of_the_file():
    # Counted in the file itself, not from the engine's lists the gate is built from.
    with (DEFAULT_CONTENT_DIR / "redflags.toml").open("rb") as fh:
        model = tomllib.load(fh)
    assert len(URGENT_TEXTS) == len(model["check"]) + len(model["flag"]) >= 30


def test_the_triage_grade_gate_can_fail():
    hard = "Characteristically, intervertebral radiculopathy necessitates comprehensive neurological evaluation."
    assert textstat.flesch_kincaid_grade(_prose(hard)) > MAX_GRADE
    assert _prose("<b>Title</b>\n• one\n• two things") == "Title. one. two things."


def test_disclaimer_is_one_line(content: Content):
    disclaimer = content.messages.disclaimer
    assert "\n" not in disclaimer
    assert "not medical advice" in disclaimer.lower()
    assert "emergency" in disclaimer.lower()


def test_emergency_reply_says_call_now(content: Content):
    text = content.messages.emergency
    for number in ("112", "911", "999"):
        assert number in text
    first = plain_text(text).strip().splitlines()[0]
    # The action is the first line, with which number is for which country.
    assert first.startswith("Call 999 (UK), 112 (Europe) or 911 (US, Canada) now")
    assert "A&E" in first
    lowered = plain_text(text).lower()
    assert "don't drive yourself" in lowered and "don't wait" in lowered


def test_same_day_reply_says_today(content: Content):
    text = plain_text(content.messages.same_day)
    assert "today" in text.strip().splitlines()[0].lower()
    assert "NHS 111" in text and "urgent care" in text.lower() and "urgent appointment" in text.lower()
    # The two-tier safety net: which signs mean 999 instead.
    assert "999" in text and "instead" in text


def test_urgent_texts_have_no_self_care(content: Content):
    urgent = {
        "message emergency": content.messages.emergency,
        "message same_day": content.messages.same_day,
        "topic emergency-signs": content.topics["emergency-signs"].body,
        "topic see-doctor-today": content.topics["see-doctor-today"].body,
    }
    for name, text in urgent.items():
        found = SELF_CARE.findall(plain_text(text))
        assert not found, f"{name} contains self-care wording: {found}"


def test_self_care_pattern_catches_tips():
    # Guards the test above against a pattern that matches nothing.
    assert SELF_CARE.search("Meanwhile, rest and use a heat pad.")
    assert not SELF_CARE.search("Call 112 now; don't wait.")


def test_bodies_naming_warning_signs_say_where_to_go(content: Content):
    for topic in content.topics.values():
        text = plain_text(topic.body)
        if EMERGENCY_SIGNS.search(text):
            assert all(n in text for n in ("112", "911", "999")), f"{topic.id}: name the emergency numbers"
        if SAME_DAY_SIGNS.search(text):
            assert "today" in text.lower() or "111" in text, f"{topic.id}: say 'see a doctor today'"


def test_no_medicine_doses(content: Content):
    texts = {t.id: plain_text(t.body) for t in content.topics.values()} | all_messages(content)
    for name, text in texts.items():
        assert not DOSE.search(text), f"{name}: {DOSE.search(text).group(0)!r} looks like a dose"
    assert DOSE.search("take 400 mg three times a day")
    assert "pharmacist" in content.topics["pain-relief"].body


def test_guidance_is_named_where_it_differs(content: Content):
    brace = content.topics["back-brace"].body
    assert "NICE NG59" in brace and "WHO" in brace
    assert "American College of Physicians" in content.topics["ice-or-heat"].body
    assert "10–20 minutes" in content.topics["ice-or-heat"].body
    assert "blood test" in content.topics["low-minerals"].body


def test_help_lists_the_commands(content: Content):
    for command in ("/menu", "/causes", "/remedies", "/triage", "/reminders", "/privacy", "/about", "/cancel"):
        assert command in content.messages.help, command
    assert "/help" in content.messages.unknown_command


# --- Broken content is refused, naming file and field ---------------------------------------------


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, target)
    return target


def toml_value(value) -> str:
    # JSON strings and lists of strings are valid TOML values, as long as characters outside the
    # BMP (emoji) are written as themselves: JSON's surrogate-pair escapes are not valid TOML.
    return json.dumps(value, ensure_ascii=False)


def append_topic(content_dir: Path, file: str = "symptoms.toml", drop: tuple[str, ...] = (), **fields) -> None:
    topic = {
        "id": "extra-topic",
        "title": "Extra topic",
        "keywords": ["extra"],
        "synonyms": ["an extra topic"],
        "questions": ["what is the extra topic"],
        "related": ["spasm-signs"],
        "source": "Test",
        "body": "<b>Extra</b>\nA short body.",
    } | fields
    lines = ["", "[[topic]]"] + [f"{k} = {toml_value(v)}" for k, v in topic.items() if k not in drop]
    path = content_dir / "topics" / file
    path.write_text(path.read_text(encoding="utf-8") + "\n".join(lines) + "\n", encoding="utf-8")


def problems_of(content_dir: Path) -> list[str]:
    with pytest.raises(ContentError) as info:
        load_content(content_dir)
    return info.value.problems


def assert_problem(problems: list[str], *parts: str) -> None:
    """One problem line must carry every part (file, field, reason) together."""
    assert any(all(p in line for p in parts) for line in problems), problems


def test_copy_with_a_valid_extra_topic_loads(content_copy: Path):
    append_topic(content_copy)
    loaded = load_content(content_copy)
    assert loaded.topics["extra-topic"].category == "symptoms"


def test_body_over_4096_is_refused(content_copy: Path):
    append_topic(content_copy, body="<b>Long</b>\n" + "word " * 1000)
    assert_problem(problems_of(content_copy), "topics/symptoms.toml", "topic[extra-topic].body", "too long")


def test_bad_html_in_body_is_refused(content_copy: Path):
    append_topic(content_copy, file="causes.toml", body="<p>Not Telegram HTML</p>")
    assert_problem(problems_of(content_copy), "topics/causes.toml", "topic[extra-topic].body", 'tag "p"')


def test_unknown_related_id_is_refused(content_copy: Path):
    append_topic(content_copy, related=["no-such-topic"])
    assert_problem(problems_of(content_copy), "topics/symptoms.toml", "topic[extra-topic].related", "no-such-topic")


def test_missing_topic_field_is_refused(content_copy: Path):
    append_topic(content_copy, file="remedies.toml", drop=("source",))
    assert_problem(problems_of(content_copy), "topics/remedies.toml", "topic[extra-topic].source", "required")


def test_misspelt_topic_field_is_refused(content_copy: Path):
    append_topic(content_copy, keyword=["typo in the field name"])
    assert_problem(problems_of(content_copy), "topics/symptoms.toml", "topic[extra-topic].keyword")


def test_long_title_is_refused(content_copy: Path):
    append_topic(content_copy, title="x" * (MAX_BUTTON_TITLE + 1))
    assert_problem(problems_of(content_copy), "topics/symptoms.toml", "topic[extra-topic].title")


def test_duplicate_topic_id_is_refused(content_copy: Path):
    append_topic(content_copy, file="doctor.toml", id="muscle-injury")
    assert_problem(problems_of(content_copy), "topics/doctor.toml", "topic[muscle-injury].id", "already used")


def test_invalid_toml_is_refused(content_copy: Path):
    path = content_copy / "topics" / "causes.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\ntitle = = broken\n", encoding="utf-8")
    assert_problem(problems_of(content_copy), "causes.toml", "not valid TOML", "line")


def test_missing_message_is_refused(content_copy: Path):
    messages = all_messages(load_content(content_copy))  # buttons and profile have defaults
    del messages["same_day"]
    text = "\n".join(f"{k} = {toml_value(v)}" for k, v in messages.items())
    (content_copy / "messages.toml").write_text(text + "\n", encoding="utf-8")
    assert_problem(problems_of(content_copy), "messages.toml", "same_day", "required")


def test_bad_html_in_message_is_refused(content_copy: Path):
    path = content_copy / "messages.toml"
    text = path.read_text(encoding="utf-8").replace(
        'main_menu = "What would you like to know?"', 'main_menu = "<b>What would you like to know?"'
    )
    assert "<b>What would" in text  # the replacement found its target
    path.write_text(text, encoding="utf-8")
    assert_problem(problems_of(content_copy), "messages.toml", "main_menu", "end tag")


def test_missing_messages_file_is_refused(content_copy: Path):
    (content_copy / "messages.toml").unlink()
    assert_problem(problems_of(content_copy), "messages.toml", "missing")


def test_category_without_topics_is_refused(content_copy: Path):
    path = content_copy / "categories.toml"
    extra = '\n[[category]]\nid = "empty"\ntitle = "Empty"\nintro = "Nothing here."\n'
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    assert_problem(problems_of(content_copy), "categories.toml", "category[empty]", "no topics")


def test_topic_file_with_unknown_category_is_refused(content_copy: Path):
    path = content_copy / "topics" / "prevention.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('category = "prevention"', 'category = "prevent"'),
                    encoding="utf-8")
    problems = problems_of(content_copy)
    assert_problem(problems, "topics/prevention.toml", "category", "'prevent'")
