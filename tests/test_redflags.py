"""Red flags (content/redflags.toml): every warning sign, phrased several ways, found anywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.answers import AnswerEngine
from bot.core.content import DEFAULT_CONTENT_DIR, ContentError
from bot.core.redflags import load_redflags


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    return AnswerEngine.from_dir()


def flag(engine: AnswerEngine, text: str) -> tuple[str, str] | None:
    hit = engine.redflags.scan(engine.normaliser.tokens(text))
    return (hit.flag, hit.level) if hit else None


EMERGENCY = {
    "bladder-bowel": [
        "since my back went I can't pee",
        "having trouble peeing and my lower back is in spasm",
        "i wet myself this morning, back still locked",
        "lost control of my bowels",
        "cant control my bladder",
        "i'm struggling to wee since the spasm started",
        "had to change my pants, I pooed myself",
        "my bladdr feels weird",  # typo
        "iced it, but I haven't been able to pee since last night",
    ],
    "saddle-numbness": [
        "numb around my bum since my back spasm",
        "tingling in my groin and inner thighs",
        "I can't feel my private parts",
        "pins and needles between my legs",
        "saddle area feels numb",
    ],
    "both-legs": [
        "both my legs are weak",
        "numbness in both legs",
        "my legs keep giving way",
        "pins and needles down both legs",
        "pain shooting down both legs from my back",
        "I can't feel my legs",
    ],
    "fall-or-crash": [
        "back pain since I fell off a ladder",
        "had a bad fall on the stairs and now my back spasms",
        "car crash last week and my back is killing me",
        "got rear ended yesterday and my back locked",
        "knocked off my bike by a car",
        "fell down the stairs this morning",
        "came off my motorbike on the way home",
        "got thrown off my horse",
        "fell from a height at work",
        "a car hit me while I was crossing the road",
        "was in a car accident and now my back cramps",
    ],
    "bad-fall": [
        "had a nasty fall yesterday",
        "I fell really hard on my back",
        "a big fall at the skate park",
        "fell badly and my back is in spasm",
    ],
    "chest-pain": [
        "back spasm and chest pain",
        "my chest feels tight and my back hurts",
        "pain across my chest going down my arm",
        "crushing feeling in my chest",
        "I can't breathe properly with this back pain",
    ],
}

SAME_DAY = {
    "fever-unwell": [
        "back spasm and a fever",
        "got a temperature of 39 and my back hurts",
        "feeling really unwell with this back pain",
        "hot and shivery and my back is in spasm",
        "i feel properly ill and my back aches",
        "im ill and my back hurts",
        "night sweats and back ache",
    ],
    "weight-loss": [
        "lost weight without trying and my back hurts",
        "i've lost a stone for no reason",
        "weight is dropping off me and I have back pain",
        "losing weight and getting back spasms",
    ],
    "constant-or-night": [
        "the pain is constant",
        "back pain that never stops even when lying still",
        "my back is much worse at night",
        "the pain wakes me up",
        "it hurts all the time day and night",
        "the pain doesn't go away even when resting",
    ],
    "fall-or-knock": [
        "i hurt my back in a fall",
        "slipped on the ice and landed on my back",
        "tripped over the dog and my back is sore",
        "i fell over in the garden yesterday",
        "i slipped in the shower and now my back spasms",
        "lost my balance and landed on my tailbone",
        "had an accident at work and my back hurts",
    ],
    "lump-or-shape": [
        "found a lump on my back",
        "there's a new bump on my spine",
        "my spine looks curved to one side suddenly",
        "my back has changed shape",
    ],
}


@pytest.mark.parametrize(
    ("flag_id", "text"), [(f, t) for f, texts in EMERGENCY.items() for t in texts]
)
def test_emergency_flags(engine: AnswerEngine, flag_id: str, text: str) -> None:
    assert flag(engine, text) == (flag_id, "emergency")


@pytest.mark.parametrize(("flag_id", "text"), [(f, t) for f, texts in SAME_DAY.items() for t in texts])
def test_same_day_flags(engine: AnswerEngine, flag_id: str, text: str) -> None:
    assert flag(engine, text) == (flag_id, "same_day")


FILLER = "I have had a sore back for a few days after gardening and tried ice and stretching. " * 60


@pytest.mark.parametrize(
    ("tail", "level"),
    [("Also since this morning I can't pee.", "emergency"), ("Oh and I have a fever too.", "same_day")],
)
def test_flag_buried_at_the_end_of_a_long_message(engine: AnswerEngine, tail: str, level: str) -> None:
    text = FILLER + tail
    assert len(text) > 5000
    assert flag(engine, text)[1] == level
    assert engine.answer(text).level == level


def test_flag_buried_at_the_start_of_a_long_message(engine: AnswerEngine) -> None:
    assert flag(engine, "Numbness in both legs. " + FILLER)[1] == "emergency"


def test_emergency_beats_same_day(engine: AnswerEngine) -> None:
    assert flag(engine, "I have a fever and I can't pee") == ("bladder-bowel", "emergency")
    assert flag(engine, "worse at night and now chest pain") == ("chest-pain", "emergency")
    hits = engine.redflags.scan_all(engine.normaliser.tokens("I have a fever and I can't pee"))
    assert {h.level for h in hits} == {"emergency", "same_day"}


@pytest.mark.parametrize(
    "text",
    [
        "no fever, just a sore back",
        "I don't have a temperature but my back is in spasm",
        "haven't lost any weight",
        "there is no lump, it's just tight",
        "the pain isn't constant, it comes and goes",
        "not feverish at all",
        "I didn't fall or anything, it just started",
        "no fall or injury, it came out of nowhere",
    ],
)
def test_denied_same_day_signs_do_not_fire(engine: AnswerEngine, text: str) -> None:
    assert flag(engine, text) is None


def test_same_day_flags_distrust_short_typo_fixes_but_emergency_flags_do_not(engine: AnswerEngine) -> None:
    assert flag(engine, "i have a lumpp on my spine") == ("lump-or-shape", "same_day")  # 5 letters: trusted
    tokens = engine.normaliser.tokens("numb bumm")
    assert [t.word for t in tokens] == ["numb", "bum"] and tokens[1].fixed
    assert flag(engine, "numb bumm") == ("saddle-numbness", "emergency")


@pytest.mark.parametrize(
    "text",
    ["I had a fall last week", "fell over yesterday", "tripped on a step", "slipped on a wet floor"],
)
def test_a_plain_fall_means_see_a_doctor_today(engine: AnswerEngine, text: str) -> None:
    # Not an emergency without a sign of a serious fall, but never "nothing": a fall can break a bone.
    reply = engine.answer(text + " and my back is in spasm")
    assert (reply.kind, reply.level) == ("urgent", "same_day")


@pytest.mark.parametrize(
    ("plain", "serious"),
    [
        ("I fell and hurt my back", "I fell off the roof and hurt my back"),
        ("slipped and hurt my back", "slipped down the stairs and hurt my back"),
        ("had a fall, now my back spasms", "had a really bad fall, now my back spasms"),
        ("fell off the sofa", "fell off my bike"),
    ],
)
def test_how_serious_the_fall_sets_the_level(engine: AnswerEngine, plain: str, serious: str) -> None:
    assert engine.answer(plain).level == "same_day"
    assert engine.answer(serious).level == "emergency"


def test_denial_does_not_reach_past_the_clause(engine: AnswerEngine) -> None:
    assert flag(engine, "no fever yesterday, but today I have a fever") == ("fever-unwell", "same_day")
    assert flag(engine, "I don't sleep well. The pain is worse at night") == ("constant-or-night", "same_day")


@pytest.mark.parametrize("text", ["not sure if I have a fever", "no idea if it's a fever or not"])
def test_hedged_denial_still_fires(engine: AnswerEngine, text: str) -> None:
    assert flag(engine, text) == ("fever-unwell", "same_day")


@pytest.mark.parametrize(
    "text",
    ["no chest pain", "I don't think I have numbness in both legs", "never wet myself before today"],
)
def test_emergency_flags_fire_even_when_denied(engine: AnswerEngine, text: str) -> None:
    # When in doubt, flag: an emergency reply to a denial is safer than missing a real one.
    assert flag(engine, text)[1] == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "fell asleep on the sofa and woke up with a back spasm",
        "a wee bit stiff this morning",
        "I'll try ice tonight",
        "ill try heat then",
        "my back goes into spasm all the time",  # often, not constant
        "reached up and got a sudden grab of pain in my back",  # "grab" is not "gray"
        "my dog has a limp",  # "limp" is not "lump"
        "my right leg goes a bit numb when my back spasms",
        "could a slipped disc cause spasms",
        "I think I slipped a disc bending down",
        "going on a trip next week, how do I protect my back on the flight",
        "my back always gets worse in the fall",
        "hit my back on the car door",
        "what are the emergency signs with back pain",
        "should I call 999 about my back",
        "I lift weights at the gym and my back cramps",
        "heat cramps after working in the sun",
        "does ice reduce swelling",
        "sick of this back spasm",
        "which sleeping position is best at night",
        "I twisted suddenly and felt something pull",
        "keep the natural curve of your spine when sitting",
        "",
        "🙂🙂",
    ],
)
def test_ordinary_messages_do_not_fire(engine: AnswerEngine, text: str) -> None:
    assert flag(engine, text) is None


# --- the file itself -------------------------------------------------------------------------


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "redflags.toml"
    shutil.copy(DEFAULT_CONTENT_DIR / "redflags.toml", path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_real_file_has_both_levels() -> None:
    flags = load_redflags().flags
    assert {f.level for f in flags} == {"emergency", "same_day"}
    assert not any(f.negatable for f in flags if f.level == "emergency")


def test_negatable_emergency_flag_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, 'level = "emergency"\n', 'level = "emergency"\nnegatable = true\n')
    with pytest.raises(ContentError) as err:
        load_redflags(path)
    assert any(p.startswith("redflags.toml: flag[bladder-bowel]") and "negatable" in p for p in err.value.problems)


def test_unknown_level_names_file_and_field(tmp_path: Path) -> None:
    path = _copy(tmp_path, '\nlevel = "same_day"\n', '\nlevel = "soon"\n')
    with pytest.raises(ContentError) as err:
        load_redflags(path)
    assert any(p.startswith("redflags.toml: flag[fever-unwell].level") for p in err.value.problems)


def test_empty_choice_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, '["bladder|bowel|', '["|bladder|bowel|')
    with pytest.raises(ContentError) as err:
        load_redflags(path)
    assert any("redflags.toml: flag[bladder-bowel].patterns" in p for p in err.value.problems)


def test_duplicate_flag_ids_are_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, 'id = "weight-loss"', 'id = "fever-unwell"')
    with pytest.raises(ContentError, match="used twice"):
        load_redflags(path)
