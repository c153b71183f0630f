"""The triage rules, its content file and its text, tested against the shipped content/triage.toml.

The rules are checked against an independent copy (SPEC and `reference` below, written from the
issue, not read from the content): every answer sheet the buttons allow is walked and compared.
"""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from functools import cache

import pytest

from bot.core.content import ContentError
from bot.core.telegram_html import check_message_text
from bot.core.triage import (
    MAX_QUESTIONS,
    PENDING,
    PRESET,
    InvalidAnswers,
    Outcome,
    TriageError,
    answer,
    back,
    choices,
    decide,
    is_finished,
    load_triage,
    next_step,
    open_question,
    parse_typed_answer,
    preanswer,
    progress,
    render_outcome,
    render_question,
    render_tap_hint,
    render_tips,
    valid_answers,
)
from bot.core.triage_model import DEFAULT_TRIAGE_FILE

TRIAGE = load_triage()
QUESTIONS = TRIAGE.questions
RANK = {"self_care": 0, "appointment": 1, "same_day": 2, "emergency": 3}
OUTCOME_FOR = {"emergency": "emergency", "same_day": "same_day", "appointment": "appointment", "context": "self_care"}
DISCLAIMER = "<i>General information, not medical advice.</i>"

# The question set the issue asks for, by cause, red flags first: id → level.
SPEC = {
    "cauda_equina": "emergency",
    "both_legs": "emergency",
    "chest_tearing": "emergency",
    "serious_injury": "emergency",
    "infection": "same_day",
    "cancer": "same_day",
    "bones": "same_day",
    "one_leg": "same_day",
    "see_gp": "appointment",
    "trigger": "context",
}
CONTEXT_AT = list(SPEC).index("trigger")


def run(full: str, start: str = "") -> tuple[str, Outcome]:
    """Feed a full-length answer sheet one answer at a time, as the bot would; stop at the outcome.

    `start` is what the opening message answered; those questions must never be asked.
    """
    answers = start
    while True:
        step = next_step(TRIAGE, answers)
        if isinstance(step, Outcome):
            return answers, step
        i = QUESTIONS.index(step)
        assert start[i : i + 1] != PRESET, f"asked '{step.id}', which the opening message answered"
        answers = answer(TRIAGE, answers, full[i])


def sheet(**marks: str) -> str:
    """A full answer sheet: 'n' everywhere except the given question ids."""
    return "".join(marks.get(q.id, "n") for q in QUESTIONS)


ALL_SHEETS = ["".join(s) for s in itertools.product(*(q.choices for q in QUESTIONS))]
LIFTING = preanswer(TRIAGE, "Should I see a doctor? I hurt my back lifting boxes")


@cache
def walked(full: str, start: str = "") -> tuple[str, Outcome]:
    return run(full, start)


def reference(full: str, preset: bool = False) -> tuple[str, tuple[str, ...]]:
    """(level, tip ids) read directly off a full sheet with the issue's rules, not the walking code."""
    said = dict(zip(SPEC, full, strict=False))
    level = "self_care"
    for candidate in ("emergency", "same_day", "appointment"):
        if any(said[q] in "yu" for q, lv in SPEC.items() if lv == candidate):
            level = candidate
            break
    tips = ("trigger",) if level in ("self_care", "appointment") and (preset or said["trigger"] == "y") else ()
    return level, tips


# ── The shipped question set ────────────────────────────────────────────────────


def test_shipped_set_is_the_issues_table():
    assert [(q.id, q.level) for q in QUESTIONS] == list(SPEC.items())
    assert len(QUESTIONS) <= MAX_QUESTIONS == 10
    assert all(q.not_sure for q in QUESTIONS if q.level in ("emergency", "same_day"))
    assert all(q.choices == ("y", "n") for q in QUESTIONS if q.level in ("appointment", "context"))
    assert re.fullmatch(r"[0-9a-f]{6}", TRIAGE.version)


def test_callback_data_fits_64_bytes():
    longest = f"tg:{TRIAGE.version}:{'u' * len(QUESTIONS)}:t"
    assert len(longest.encode()) <= 64


def test_every_question_text_is_valid_telegram_html():
    prefixes = set()
    for full in ALL_SHEETS:
        asked, _ = walked(full)
        prefixes.update(asked[:i] for i in range(len(asked)))
    assert len(prefixes) > len(QUESTIONS)
    for prefix in prefixes:
        assert check_message_text(render_question(TRIAGE, prefix)) is None


# ── The rules ───────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("question", QUESTIONS, ids=[q.id for q in QUESTIONS])
def test_each_question_alone_gives_its_level(question):
    asked, outcome = run(sheet(**{question.id: "y"}))
    assert outcome.level == OUTCOME_FOR[SPEC[question.id]]
    if question.red_flag:
        assert asked.endswith("y") and len(asked) == QUESTIONS.index(question) + 1, "a red flag ends at once"
        assert [r.question_id for r in outcome.reasons] == [question.id]
        assert [r.phrase for r in outcome.reasons] == [question.reason]
    if question.level == "context":
        assert outcome.tip_ids == (question.id,)


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.not_sure], ids=lambda q: q.id)
def test_not_sure_counts_as_yes_and_says_so(question):
    _, sure = run(sheet(**{question.id: "y"}))
    _, unsure = run(sheet(**{question.id: "u"}))
    assert unsure.level == sure.level
    assert unsure.counted_not_sure and not sure.counted_not_sure
    note = TRIAGE.labels.said_not_sure.replace("{reason}", question.reason)
    assert note in render_outcome(unsure, DISCLAIMER)
    assert note not in render_outcome(sure, DISCLAIMER)


def test_all_no_gives_self_care_with_safety_net():
    asked, outcome = run("n" * len(QUESTIONS))
    assert asked == "n" * len(QUESTIONS)
    assert outcome.level == "self_care" and outcome.reasons == () and outcome.tips == ()
    text = render_outcome(outcome, DISCLAIMER)
    assert TRIAGE.labels.no_flags in text
    assert TRIAGE.outcomes.self_care.safety_net in text


@pytest.mark.parametrize("i", [i for i, q in enumerate(QUESTIONS) if q.red_flag])
def test_a_red_flag_ends_immediately(i):
    for mark in "yu":
        answers = "n" * i + mark
        outcome = next_step(TRIAGE, answers)
        assert isinstance(outcome, Outcome) and outcome.level == SPEC[QUESTIONS[i].id]
        assert not outcome.offer_tips and not outcome.offer_reminders
        assert not valid_answers(TRIAGE, answers + "n")


def test_walk_matches_the_rules_for_every_sheet():
    assert len(ALL_SHEETS) == 3**8 * 2 * 2
    for full in ALL_SHEETS:
        asked, outcome = walked(full)
        assert full.startswith(asked)
        assert (outcome.level, outcome.tip_ids) == reference(full), full
        assert decide(TRIAGE, asked) == outcome


def test_walk_with_a_pre_answer_matches_the_rules_and_asks_every_red_flag():
    assert LIFTING == PENDING * CONTEXT_AT + PRESET
    for full in ALL_SHEETS:
        if full[CONTEXT_AT] == "y":
            continue  # the context answer comes from the message: one sheet per pair
        asked, outcome = walked(full, LIFTING)
        assert (outcome.level, outcome.tip_ids) == reference(full, preset=True), full
        plain, _ = walked(full)
        # Exactly the same questions are asked, minus the one the message answered.
        assert asked.rstrip(PRESET).rstrip(PENDING) == plain[:CONTEXT_AT], full


def test_adding_a_yes_never_lowers_the_level():
    level = {full: walked(full)[1].level for full in ALL_SHEETS}
    checked = 0
    for full in ALL_SHEETS:
        for i, q in enumerate(QUESTIONS):
            if full[i] != "n":
                continue
            for mark in [c for c in q.choices if c != "n"]:
                raised = full[:i] + mark + full[i + 1 :]
                assert RANK[level[raised]] >= RANK[level[full]], (full, raised)
                checked += 1
    assert checked > 10_000


def test_tips_only_for_self_care_and_appointment():
    for full in ALL_SHEETS:
        _, outcome = walked(full)
        if outcome.level in ("self_care", "appointment"):
            assert outcome.tips == tuple(TRIAGE.question(i).tip for i in outcome.tip_ids)
            assert outcome.offer_tips and outcome.offer_reminders
        else:
            assert outcome.tips == () and not outcome.offer_tips and not outcome.offer_reminders


# ── What the opening message answers ───────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Should I see a doctor? I hurt my back lifting boxes", LIFTING),
        ("is this serious, it went at the gym", LIFTING),
        ("do i need a doctor, my back went after a round of golf", LIFTING),
        ("Should I see a doctor? My back hurts", ""),
        ("should i see a doctor, I wasn't lifting anything", ""),
        ("is it serious? I didn't even lift anything heavy", ""),
        ("", ""),
        (None, ""),
        ("lifts", LIFTING),
    ],
)
def test_preanswer(text, expected):
    assert preanswer(TRIAGE, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "should i see a doctor? lifting at the gym, no numbness, no bladder trouble, legs fine",
        "is this serious? no fever, no weight loss, not worse at night, I was lifting",
        "check my symptoms: no cancer, never had steroids, both legs fine, no chest pain",
        "I have numbness down below and both legs are weak, it started lifting",
    ],
)
def test_preanswer_never_answers_a_warning_sign(text):
    """Even a message that denies every warning sign leaves each of them to be asked."""
    state = preanswer(TRIAGE, text)
    assert set(state) <= {PENDING, PRESET}
    assert all(QUESTIONS[i].level == "context" for i, a in enumerate(state) if a == PRESET)
    assert open_question(TRIAGE, state) is QUESTIONS[0]


def test_only_context_questions_can_be_pre_answered():
    for i, q in enumerate(QUESTIONS):
        state = PENDING * i + PRESET
        assert valid_answers(TRIAGE, state) == (q.level == "context"), q.id


# ── Back, answers and stale states ──────────────────────────────────────────────


def test_back_returns_to_the_previous_question():
    answers = ""
    for choice in "nnnn":
        answers = answer(TRIAGE, answers, choice)
    assert next_step(TRIAGE, back(answers)) is QUESTIONS[3]
    assert render_question(TRIAGE, back(answers)) == render_question(TRIAGE, "nnn")
    assert back("") == ""
    assert next_step(TRIAGE, back("n")) is QUESTIONS[0]
    # After an outcome, Back reopens the question that ended it.
    assert next_step(TRIAGE, back("y")) is QUESTIONS[0]


def test_back_keeps_what_the_opening_message_answered():
    answers = LIFTING
    for _ in range(CONTEXT_AT):
        answers = answer(TRIAGE, answers, "n")
    assert answers == "n" * CONTEXT_AT + PRESET and is_finished(TRIAGE, answers)
    assert back(answers) == "n" * (CONTEXT_AT - 1) + PENDING + PRESET
    assert open_question(TRIAGE, back(answers)) is QUESTIONS[CONTEXT_AT - 1]
    assert back(LIFTING) == LIFTING  # nothing the person answered: nothing to undo
    assert back("y" + LIFTING[1:]) == LIFTING


def test_progress_counts_only_the_questions_the_person_is_asked():
    assert progress(TRIAGE, "") == (1, len(QUESTIONS))
    assert progress(TRIAGE, "nn") == (3, len(QUESTIONS))
    assert progress(TRIAGE, LIFTING) == (1, len(QUESTIONS) - 1)
    assert progress(TRIAGE, "nn" + LIFTING[2:]) == (3, len(QUESTIONS) - 1)
    assert render_question(TRIAGE, LIFTING).startswith(TRIAGE.intro)


@pytest.mark.parametrize(
    "answers",
    [
        "x",  # not an answer
        "Y",  # a pre-answer on a warning sign
        "yn",  # an answer after the emergency outcome
        "n" * (len(QUESTIONS) + 1),  # too many
        "n" * (len(QUESTIONS) - 1) + "u",  # "Not sure" on a Yes/No question
        "nnn y",
        ".",  # a gap with nothing after it
        "n.n",  # an answer after a gap
        "n" * CONTEXT_AT + "Y" + "n",
        None,
        7,
    ],
)
def test_invalid_answer_strings_are_rejected(answers):
    assert not valid_answers(TRIAGE, answers)
    with pytest.raises(InvalidAnswers):
        next_step(TRIAGE, answers)


def test_answer_checks_the_choice():
    with pytest.raises(InvalidAnswers):
        answer(TRIAGE, "n" * CONTEXT_AT, "u")
    with pytest.raises(InvalidAnswers):
        answer(TRIAGE, "y", "n")  # already finished
    with pytest.raises(InvalidAnswers):
        answer(TRIAGE, "n" * CONTEXT_AT + PRESET, "n")  # the message answered the last one
    with pytest.raises(InvalidAnswers):
        render_question(TRIAGE, "y")


def test_every_reachable_state_is_valid_and_back_unwinds_to_the_start():
    for full in ALL_SHEETS[::7]:
        for start in ("", LIFTING):
            state, seen = start, [start]
            while not is_finished(TRIAGE, state):
                assert valid_answers(TRIAGE, state), state
                state = answer(TRIAGE, state, full[QUESTIONS.index(open_question(TRIAGE, state))])
                seen.append(state)
            # Back retraces the same states, down to what the opening message answered.
            while back(state) != state:
                state = back(state)
                assert state == seen[-2], (full, start)
                seen.pop()
            assert state == start


def test_version_changes_with_order_but_not_wording(tmp_path):
    data = tomllib.loads(DEFAULT_TRIAGE_FILE.read_text("utf-8"))
    reworded = json.loads(json.dumps(data))
    reworded["questions"][1]["text"] = "Do you have pain in <b>both</b> legs?"
    reworded["questions"][-1]["cues"] = ["golf"]
    assert load_triage(write(tmp_path, reworded, "a.toml")).version == TRIAGE.version

    swapped = json.loads(json.dumps(data))
    q = swapped["questions"]
    q[0], q[1] = q[1], q[0]
    assert load_triage(write(tmp_path, swapped, "b.toml")).version != TRIAGE.version

    fewer = json.loads(json.dumps(data))
    fewer["questions"].pop()
    stale = load_triage(write(tmp_path, fewer, "c.toml"))
    assert stale.version != TRIAGE.version
    assert not valid_answers(stale, "n" * len(QUESTIONS))


# ── Text ────────────────────────────────────────────────────────────────────────


def test_question_text_has_progress_and_intro_once():
    first = render_question(TRIAGE, "")
    assert first.startswith(TRIAGE.intro) and f"<b>1/{len(QUESTIONS)}</b>" in first
    third = render_question(TRIAGE, "nn")
    assert f"<b>3/{len(QUESTIONS)}</b>" in third and TRIAGE.intro not in third
    assert third.endswith(QUESTIONS[2].text)


def test_buttons_and_tap_hint():
    red = QUESTIONS[0]
    context = QUESTIONS[CONTEXT_AT]
    assert choices(TRIAGE, red) == [("y", "Yes"), ("n", "No"), ("u", "Not sure")]
    assert choices(TRIAGE, context) == [("y", "Yes"), ("n", "No")]
    assert "Yes, No or Not sure" in render_tap_hint(TRIAGE, red)
    assert "Yes or No" in render_tap_hint(TRIAGE, context)


@pytest.mark.parametrize("full", ["y" + "n" * 9, sheet(cancer="u"), sheet(see_gp="y", trigger="y"),
                                  sheet(trigger="y"), "n" * len(QUESTIONS)])
def test_outcome_text(full):
    _, outcome = run(full)
    text = render_outcome(outcome, DISCLAIMER)
    assert text.startswith(f"<b>{outcome.headline}</b>\n\n{outcome.text.body}")
    assert text.endswith("\n\n" + DISCLAIMER)
    assert text.count(DISCLAIMER) == 1
    assert TRIAGE.labels.why in text and outcome.text.source in text
    for reason in outcome.reasons:
        assert reason.phrase in text
    for tip in outcome.tips:
        assert tip not in text  # tips come in a message of their own
    if outcome.text.safety_net:
        assert text.index(outcome.text.safety_net) > text.index(TRIAGE.labels.why)
    assert check_message_text(text) is None
    with pytest.raises(ValueError):
        render_outcome(outcome, " ")


def test_tips_text():
    _, tailored = run(sheet(trigger="y"))
    _, plain = run("n" * len(QUESTIONS))
    text = render_tips(TRIAGE, tailored, DISCLAIMER)
    assert text.startswith(f"<b>{TRIAGE.labels.tips_title}</b>\n\n{TRIAGE.tips.general}")
    assert QUESTIONS[CONTEXT_AT].tip in text and text.endswith(DISCLAIMER)
    assert QUESTIONS[CONTEXT_AT].tip not in render_tips(TRIAGE, plain, DISCLAIMER)
    assert render_tips(TRIAGE, None, DISCLAIMER) == render_tips(TRIAGE, plain, DISCLAIMER)
    assert check_message_text(text) is None
    with pytest.raises(ValueError):
        render_tips(TRIAGE, plain, "")


def test_headlines_name_the_outcome():
    o = TRIAGE.outcomes
    assert o.emergency.headline == "Call 999 (UK), 112 (Europe) or 911 (US, Canada) now"
    assert o.same_day.headline == "See a doctor today"
    assert o.appointment.headline == "Book a doctor's appointment"
    assert o.self_care.headline == "Self-care"


# ── Validation of triage.toml ───────────────────────────────────────────────────


def dump(data: dict) -> str:
    """A tiny TOML writer for the shape of triage.toml (tables, arrays of tables, strings, booleans)."""

    def value(v):
        return json.dumps(v, ensure_ascii=False) if isinstance(v, (str, list)) else str(v).lower()

    lines = [f"{k} = {value(v)}" for k, v in data.items() if not isinstance(v, (dict, list))]
    for key, v in data.items():
        if isinstance(v, list):
            for item in v:
                lines += [f"[[{key}]]"] + [f"{k} = {value(x)}" for k, x in item.items()]
        elif isinstance(v, dict):
            for sub, table in v.items():
                if isinstance(table, dict):
                    lines += [f"[{key}.{sub}]"] + [f"{k} = {value(x)}" for k, x in table.items()]
            flat = {k: x for k, x in v.items() if not isinstance(x, dict)}
            if flat:
                lines += [f"[{key}]"] + [f"{k} = {value(x)}" for k, x in flat.items()]
    return "\n".join(lines) + "\n"


def write(tmp_path, data: dict, name: str = "triage.toml"):
    path = tmp_path / name
    path.write_text(dump(data), "utf-8")
    return path


def shipped() -> dict:
    return tomllib.loads(DEFAULT_TRIAGE_FILE.read_text("utf-8"))


def test_dump_round_trips(tmp_path):
    assert load_triage(write(tmp_path, shipped())) == TRIAGE


def _extra_question(i: int) -> dict:
    return {"id": f"extra{i}", "level": "context", "text": "Is it sunny?", "reason": "sun", "source": "s", "tip": "t"}


C = CONTEXT_AT  # the shipped context question, "trigger"


def _edit(data, path, value):
    node = data
    for part in path[:-1]:
        node = node[part]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value


BAD = [
    (("questions", 1, "text"), "", "triage.toml: questions[both_legs].text"),
    (("questions", 1, "text"), "Do you not have pain in both legs?", "questions[both_legs].text: Value error, ask about the presence"),
    (("questions", 1, "text"), "Don't you have pain in both legs?", "questions[both_legs].text"),
    (("questions", 1, "level"), "urgent", "questions[both_legs].level"),
    (("questions", 1, "id"), "Both Legs", "questions[Both Legs].id"),
    (("questions", 1, "id"), "cauda_equina", "questions: Value error, the id 'cauda_equina' is used twice"),
    (("questions", 1, "not_sure"), False, "questions[both_legs]: Value error, red-flag questions"),
    (("questions", 1, "reason"), "", "questions[both_legs].reason"),
    (("questions", 1, "tip"), "Rest.", "questions[both_legs]: Value error, only context questions have a tip"),
    (("questions", 1, "reason"), "x" * 121, "questions[both_legs].reason: String should have at most 120"),
    (("questions", 1, "reason"), "both legs\nor one", "questions[both_legs].reason: Value error, write the reason in one line"),
    (("questions", 1, "flags"), [], "questions[both_legs]: Value error, a red-flag question names the warning signs"),
    (("questions", 1, "flags"), ["Both Legs"], "questions[both_legs].flags: Value error, 'Both Legs' is not a red-flag id"),
    (("questions", 1, "flags"), ["both-legs", "both-legs"], "questions[both_legs].flags: Value error, listed twice: both-legs"),
    (("questions", 1, "flags"), ["ce-saddle"], "questions: Value error, the flag 'ce-saddle' is asked in both 'cauda_equina' and 'both_legs'"),
    (("questions", 1, "cues"), ["lifting"], "questions[both_legs]: Value error, only context questions have cues"),
    (("questions", C, "not_sure"), True, "questions[trigger]: Value error, context questions are Yes/No only"),
    (("questions", C, "tip"), None, "questions[trigger]: Value error, a context question needs a tip"),
    (("questions", C, "flags"), ["both-legs"], "questions[trigger]: Value error, only emergency and same_day questions have flags"),
    (("questions", C, "cues"), ["Lifting!"], "questions[trigger].cues: Value error, 'Lifting!': write lower-case words"),
    (("outcomes", "self_care", "safety_net"), None, "outcomes.self_care.safety_net: Field required"),
    (("outcomes", "same_day", "safety_net"), None, "outcomes.same_day.safety_net: Field required"),
    (("tips", "general"), None, "tips.general: Field required"),
    (("tips",), None, "tips: Field required"),
    (("outcomes", "emergency", "body"), "Go <a href='x'>here</a>", "outcomes.emergency.body: Value error, only <b> and <i>"),
    (("outcomes", "same_day", "body"), "GP & 111", "outcomes.same_day.body: Value error, write & as &amp;"),
    (("outcomes", "same_day", "body"), "<b>GP", "outcomes.same_day.body: Value error, Bad Request"),
    (("outcomes", "appointment"), None, "outcomes.appointment: Field required"),
    (("labels", "said_yes"), "You said yes.", "labels.said_yes: Value error, must contain {reason}"),
    (("labels", "surprise"), "x", "labels.surprise: Extra inputs are not permitted"),
]


@pytest.mark.parametrize("path,value,message", BAD, ids=[m for _, _, m in BAD])
def test_validation_errors_name_file_and_field(tmp_path, path, value, message):
    data = shipped()
    if path[:1] == ("questions",):
        assert [q["id"] for q in data["questions"]] == list(SPEC), "the table assumes the shipped order"
    _edit(data, path, value)
    with pytest.raises(TriageError) as err:
        load_triage(write(tmp_path, data))
    assert any(message in p for p in err.value.problems), err.value.problems
    assert all(p.startswith("triage.toml: ") for p in err.value.problems)
    assert isinstance(err.value, ContentError)


def test_more_than_ten_questions_is_refused(tmp_path):
    data = shipped()
    data["questions"] += [_extra_question(i) for i in range(MAX_QUESTIONS + 1 - len(data["questions"]))]
    with pytest.raises(TriageError) as err:
        load_triage(write(tmp_path, data))
    assert any(p.startswith("triage.toml: questions: Value error, at most 10 questions") for p in err.value.problems)


def test_wrong_level_order_is_refused(tmp_path):
    data = shipped()
    context = next(q for q in data["questions"] if q["level"] == "context")
    data["questions"].remove(context)
    data["questions"].insert(0, context)
    with pytest.raises(TriageError) as err:
        load_triage(write(tmp_path, data))
    assert any(
        p.startswith(f"triage.toml: questions: Value error, '{data['questions'][1]['id']}' (emergency) comes too late")
        for p in err.value.problems
    ), err.value.problems


def test_missing_or_broken_file(tmp_path):
    with pytest.raises(TriageError, match="triage.toml: file is missing"):
        load_triage(tmp_path / "triage.toml")
    (tmp_path / "triage.toml").write_text("intro = \n", "utf-8")
    with pytest.raises(TriageError, match="triage.toml: not valid TOML"):
        load_triage(tmp_path / "triage.toml")


# ── Typed answers ───────────────────────────────────────────────────────────────

TYPED = [
    ("yes", "y"), ("Yes", "y"), ("YES!", "y"), ("y", "y"), ("yep", "y"), ("Yeah.", "y"), ("ya", "y"),
    ("yup", "y"), ("yesss", "y"), ("  yes please ", "y"), ("I do", "y"), ("👍", "y"),
    ("no", "n"), ("No.", "n"), ("n", "n"), ("nope", "n"), ("nah", "n"), ("NOOO", "n"), ("no!!", "n"),
    ("I don't", "n"), ("I haven’t", "n"), ("not really", "n"), ("👎", "n"),
    ("not sure", "u"), ("Not sure.", "u"), ("unsure", "u"), ("dunno", "u"), ("I don't know", "u"),
    ("idk", "u"), ("maybe", "u"), ("no idea", "u"), ("I'm not sure", "u"),
    ("", None), (None, None), ("hello", None), ("my back hurts", None), ("yes and no", None),
    ("should I see a doctor", None), ("nothing", None), ("u", None),
]


@pytest.mark.parametrize("text,expected", TYPED)
def test_parse_typed_answer(text, expected):
    assert parse_typed_answer(text) == expected
