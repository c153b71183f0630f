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
    "ce-bladder-bowel": [
        "since my back went I can't pee",
        "having trouble peeing and my lower back is in spasm",
        "i wet myself this morning, back still locked",
        "lost control of my bowels",
        "desperate to go but only a trickle comes out, back in spasm",
        "cant control my bladder",
        "i'm struggling to wee since the spasm started",
        "had to change my pants, I pooed myself",
        "my bladdr feels weird",  # typo
        "iced it, but I haven't been able to pee since last night",
    ],
    "ce-saddle": [
        "numb around my bum since my back spasm",
        "tingling in my groin and inner thighs",
        "I can't feel my private parts",
        "pins and needles between my legs",
        "saddle area feels numb",
    ],
    "ce-sexual": [
        "cant get it up since my back went",
        "can back pain stop you getting hard? been like that since the spasm",
        "struggling to keep it up in bed since my back went",
    ],
    "both-legs": [
        "both my legs are weak",
        "numbness in both legs",
        "my legs keep giving way",
        "pins and needles down both legs",
        "pain shooting down both legs from my back",
        "I can't feel my legs",
    ],
    "serious-injury": [
        "back pain since I fell off a ladder",
        "had a bad fall on the stairs and now my back spasms",
        "car crash last week and my back is killing me",
        "came crashing down the stairs last night and my back is agony",
        "went down a whole flight on my back",
        "got rear ended yesterday and my back locked",
        "knocked off my bike by a car",
        "fell down the stairs this morning",
        "came off my motorbike on the way home",
        "got thrown off my horse",
        "fell from a height at work",
        "a car hit me while I was crossing the road",
        "was in a car accident and now my back cramps",
    ],
    "serious-injury-bad-fall": [
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
        "back pain, and weight going down, 6 kilo, no diet",
    ],
    "constant-night": [
        "the pain is constant",
        "back pain that never stops even when lying still",
        "my back is much worse at night",
        "the pain wakes me up",
        "it hurts all the time day and night",
        "the pain doesn't go away even when resting",
    ],
    "lump-shape": [
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
    assert flag(engine, text) == (flag_id.removesuffix("-bad-fall"), "emergency")


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
    assert flag(engine, "I have a fever and I can't pee") == ("ce-bladder-bowel", "emergency")
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
    assert flag(engine, "i have a lumpp on my spine") == ("lump-shape", "same_day")  # 5 letters: trusted
    tokens = engine.normaliser.tokens("numb bumm")
    assert [t.word for t in tokens] == ["numb", "bum"] and tokens[1].fixed
    assert flag(engine, "numb bumm") == ("ce-saddle", "emergency")


def test_a_short_word_missing_one_letter_is_trusted_by_same_day_flags(engine: AnswerEngine) -> None:
    """ "fevr", "nevr": putting back a left-out letter is a surer fix than changing one ("limp"
    is not "lump")."""
    assert flag(engine, "back spasm and a fevr since last night") == ("fever-unwell", "same_day")
    assert flag(engine, "back pain nevr stops even lyin down") == ("constant-night", "same_day")
    assert flag(engine, "i have a limp and back pain") is None


@pytest.mark.parametrize(
    "text",
    ["I had a fall last week", "fell over yesterday", "took a tumble on a step", "slipped and landed on a wet floor"],
)
def test_a_plain_fall_is_asked_about_not_alarmed(engine: AnswerEngine, text: str) -> None:
    # A minor fall matters only with weak bones, steroids or older age (NICE CKS), so a plain one
    # gets the one safety question about a serious fall, and no urgent reply by itself.
    reply = engine.answer(text + " and my back is in spasm")
    assert (reply.kind, reply.check) == ("check", "check-injury")
    assert reply.then is not None and reply.then.kind != "urgent"


@pytest.mark.parametrize(
    ("plain", "serious"),
    [
        ("I fell and hurt my back", "I fell off the roof and hurt my back"),
        ("slipped, fell and hurt my back", "slipped down the stairs and hurt my back"),
        ("had a fall, now my back spasms", "had a really bad fall, now my back spasms"),
        ("fell off the sofa and my back hurts", "fell off my bike and my back hurts"),
    ],
)
def test_how_serious_the_fall_sets_the_level(engine: AnswerEngine, plain: str, serious: str) -> None:
    assert engine.answer(plain).kind == "check"
    assert engine.answer(serious).level == "emergency"


@pytest.mark.parametrize(
    "text",
    ["my nan is 84 and slipped in the kitchen, now her back hurts", "I have osteoporosis and my back suddenly hurts"],
)
def test_a_minor_fall_counts_with_age_or_weak_bones(engine: AnswerEngine, text: str) -> None:
    assert flag(engine, text) == ("fracture-risk", "same_day")


def test_denial_does_not_reach_past_the_clause(engine: AnswerEngine) -> None:
    assert flag(engine, "no fever yesterday, but today I have a fever") == ("fever-unwell", "same_day")
    assert flag(engine, "I don't sleep well. The pain is worse at night") == ("constant-night", "same_day")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a stack of steel beams fell on me at work and now my back keeps spasming", ("serious-injury", "emergency")),
        ("both my feet wont lift when I walk, keep catching my toes", ("both-legs", "emergency")),
        ("my lower back doesnt give me a moments peace, day or night", ("constant-night", "same_day")),
        ("found a lumb on my spine", ("lump-shape", "same_day")),
        ("back spasms for weeks and I've lost 5 kg, not that hungry lately", ("weight-loss", "same_day")),
        ("my back isnt straight anymore, I noticed in the mirror", ("lump-shape", "same_day")),
        ("on mycophenolate after my transplant and my back has started hurting", ("infection-risk", "same_day")),
        ("the feeling around my bum is duller since the back spasm", ("ce-saddle", "emergency")),
        ("back spasm and a fever. normal?", ("fever-unwell", "same_day")),
        # Round 13's dev part: dialect, hints, denials that are not denials.
        ("since ma back went I cannae control ma bladder", ("ce-bladder-bowel", "emergency")),
        ("since the spasm things havent been working downstairs if you get me", ("ce-sexual", "emergency")),
        ("not complaining about losing half a stone, but I wasnt trying to, and my back aches", ("weight-loss", "same_day")),
        ("my foot's been catching on the kerb since my back went, just the right one", ("one-leg-nerve", "same_day")),
        ("straining on the loo sends a jolt through my back", ("cough-sneeze", "same_day")),
        ("her legs dont work since the back pain, she's normally fine with a stick", ("both-legs", "emergency")),
        # Checks that became direct on the dev parts: torn open, dry, cotton wool, slips by ear.
        ("it felt like being sawn in half, front to back, all of a sudden", ("tearing-pain", "emergency")),
        ("since my back went I came but it was totally dry", ("ce-sexual", "emergency")),
        ("feels like I'm sitting on cotton wool since my back went", ("ce-saddle", "emergency")),
        ("my blatter wont empty since my back went", ("ce-bladder-bowel", "emergency")),
        ("fel off a ladder, bak hurts", ("serious-injury", "emergency")),
        ("the leaflet says keep moving but I cant control my bladder now", ("ce-bladder-bowel", "emergency")),
        ("waiting for the wee to start takes ages since the back pain", ("ce-bladder-bowel", "emergency")),
        ("my back is fine until I cough, then it's awful", ("cough-sneeze", "same_day")),
        ("my back hurts more lying flat, it's 2am and I'm up again", ("constant-night", "same_day")),
        ("back pain more at night, not able to sleep", ("constant-night", "same_day")),
        ("my wife says my spine looks curved now, it used to be straight", ("lump-shape", "same_day")),
        ("like a knife dragged through me to my back, all of a sudden", ("tearing-pain", "emergency")),
        ("since my back went I cant come during sex", ("ce-sexual", "emergency")),
        ("back aches and I keep losing weight even though I'm eating fine", ("weight-loss", "same_day")),
    ],
)
def test_signs_in_the_words_of_blind_rounds_twelve_and_thirteen(engine: AnswerEngine, text: str, expected: tuple[str, str]) -> None:
    # Our own wordings of what the development parts of rounds 12 and 13 taught (not their texts).
    assert flag(engine, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cant get an erecshun since my back went into spasm last week", ("ce-sexual", "emergency")),
        ("since the spasm I keep having acidents with my bowles", ("ce-bladder-bowel", "emergency")),
        ("had breast kancer, now my back hurts", ("cancer-history", "same_day")),
    ],
)
def test_flag_words_spelt_by_ear_are_found(engine: AnswerEngine, text: str, expected: tuple[str, str]) -> None:
    assert flag(engine, text) == expected


@pytest.mark.parametrize(
    "text",
    # English words are never heard as a flag word that sounds like them ("moaning", "punch").
    ["stop moaning about your back he says", "my back took a punch in boxing, bit sore", "artic lorry driver here, back spasm after a long shift",
     # Same sound, too many letters apart.
     "saturdays are the worst for my back, gardening all day"],
)
def test_english_words_are_not_heard_as_flag_words(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind not in ("urgent",)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        # A question after the sign is not a denial of it.
        ("I lost control of my bladder, is that normal?", "emergency"),
        ("cant feel anything when i wipe, is this normal", "emergency"),
        # "Strong" after pain is how bad it is.
        ("when I cough, back pain very very strong", "same_day"),
    ],
)
def test_words_after_a_sign_deny_it_only_when_they_say_it_is_fine(engine: AnswerEngine, text: str, level: str) -> None:
    reply = engine.answer(text)
    assert (reply.kind, reply.level) == ("urgent", level)


def test_a_same_day_sign_denied_after_it_is_named_does_not_fire(engine: AnswerEngine) -> None:
    assert flag(engine, "my bone density is normal, back spasm from gardening") is None


@pytest.mark.parametrize("text", ["not sure if I have a fever", "no idea if it's a fever or not"])
def test_hedged_denial_still_fires(engine: AnswerEngine, text: str) -> None:
    assert flag(engine, text) == ("fever-unwell", "same_day")


@pytest.mark.parametrize(
    "text", ["losing weight and getting back spasms", "I've lost 2 stone and my back hurts"]
)
def test_weight_loss_without_a_sign_it_was_unplanned_is_asked_about(engine: AnswerEngine, text: str) -> None:
    # Most people who mention losing weight mean to; the safety question tells the two apart.
    reply = engine.answer(text)
    assert (reply.kind, reply.check) == ("check", "check-weight")


@pytest.mark.parametrize(
    "text",
    ["lost 6 kilos on slimming world and my back is better", "I went vegan and lost weight, which I wanted, and my back aches"],
)
def test_weight_lost_on_purpose_raises_nothing(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind not in ("urgent", "check")


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("no chest pain", "check-chest"),
        ("I don't think I have numbness in both legs", "check-both-legs"),
        ("no pain going down my legs, it stays in my lower back", "check-both-legs"),
        # Denied after the sign is named.
        ("spasm since yesterday, bladder fine, ok to manage at home?", "check-cauda-equina"),
        ("my bladder and bowels are working normally, just a spasm", "check-cauda-equina"),
    ],
)
def test_a_denied_emergency_sign_is_asked_about_never_dropped(engine: AnswerEngine, text: str, check: str) -> None:
    # A denial may lower a same-day sign, never an emergency one: the safety question is asked.
    reply = engine.answer(text)
    assert (reply.kind, reply.level, reply.check) == ("check", "emergency", check)


@pytest.mark.parametrize(
    "text",
    [
        "fell asleep on the sofa and woke up with a back spasm",
        "a wee bit stiff this morning",
        # English words are not slips for a flag word ("fizzy" is not "fuzzy"); "reduce" is not numb.
        "my son drinks fizzy pop all day and gets back spasms, could that be it",
        "will yoga reduce the chance of another spasm",
        "got my flu jab today, fine to use a heat pad on my back?",
        "can cancer cause back spasms? never had it myself, just wondering",
        "my gran says sleeping on the floor fixed her back, worth a try?",
        "toddler has a fever, I'm fine, my back is sore from carrying her",
        # A denial from another clause does not make a sign; a cause asked about is not a report.
        "no numbness, peeing fine, legs feel strong, no fever. ok to manage at home?",
        "does straining on the toilet cause back spasms? been bunged up for days",
        "the spasm woke me up once when I turned over, fine since",
        "our van scrapes its back end on speed bumps",
        # Round 15's must-not-alarm dev part: pregnancy, a dragging feeling in the tummy, socks
        # (not "shocks"), trapped wind, an animal's legs, the skin under a bra strap, questions.
        "28 weeks pregnant, baby sits on my bladder so I wee all the time, back spasms too",
        "heavy dragging feeling in my tummy before my period, plus a back spasm",
        "do compression socks help tired legs after standing all day?",
        "my cat was paralysed in her back legs last year and is fine now, I hurt my back lifting her",
        "trapped wind from the codeine, does that make a back spasm worse",
        "my sunburnt skin under my bra strap is sore, the spasm is lower down",
        "can you get osteoporosis at 40? worried after this back spasm",
        # A horse's saddle, a car that knocks, a tight chest to stretch.
        "my horse has a sore back after riding, is the saddle wrong?",
        "my car makes a knocking noise from the back wheel",
        "whats the best stretch for a tight chest after push ups",
        "I'll try ice tonight",
        "ill try heat then",
        "my back goes into spasm all the time",  # often, not constant
        "reached up and got a sudden grab of pain in my back",  # "grab" is not "gray"
        "my dog has a limp",  # "limp" is not "lump"
        "my right leg ache when my back spasms",
        "could a slipped disc cause spasms",
        "I think I slipped a disc bending down",
        "going on a trip next week, how do I protect my back on the flight",
        "my back always gets worse in the fall",
        "hit my back on the car door",
        "my dogs back legs are wobbly, is that a vet thing",
        "jelly legs after heavy squats lol",
        "lost weight on ozempic and my back is better",
        "first aid for back spasm",
        "got absolutely crushed at the pub quiz",
        "what are the emergency signs with back pain",
        "should I call 999 about my back",
        "I lift weights at the gym and my back cramps",
        "heat cramps after working in the sun",
        "does ice reduce swelling",
        "sick of this back spasm",
        "which sleeping position is best at night",
        "I twisted suddenly and felt something pull",
        "keep the natural curve of your spine when sitting",
        "my back hurts when i go down stairs",
        "could low magnesium be causing my spasms, and what should i eat to keep it up",
        "40 degrees here today, any tips so my back doesnt cramp",
        "my back is worse the next day, should i stay in bed",
        "my back twinges when i went down the stairs this morning",
        "",
        "🙂🙂",
    ],
)
def test_ordinary_messages_do_not_fire(engine: AnswerEngine, text: str) -> None:
    assert flag(engine, text) is None


@pytest.mark.parametrize(
    "text",
    [
        "getting awful calf cramps at night what helps",
        "restless legs keeping me up at night",
        "my knee hurts at night and wakes me up",
        "my neck aches all the time, never lets up",
    ],
)
def test_a_back_sign_said_of_another_body_part_is_not_that_sign(engine: AnswerEngine, text: str) -> None:
    reply = engine.answer(text)
    assert reply.kind != "urgent" and reply.kind != "check"


@pytest.mark.parametrize("text", ["i think i have the flu what should i do", "fever", "ive got the flu what should i take"])
def test_a_back_sign_with_no_body_named_is_not_assumed(engine: AnswerEngine, text: str) -> None:
    # Not the urgent reply; since the fourteenth session not the fever question either, but the
    # decline that says when a fever with back pain means being seen today.
    reply = engine.answer(text)
    assert (reply.kind, reply.declined) == ("no_match", True)
    assert "get seen today" in reply.text


@pytest.mark.parametrize(
    ("text", "flag_id"),
    [
        ("my back wakes me up every night, my knee hurts too", "constant-night"),
        ("in agony all night, cant sleep for the pain", "constant-night"),
        ("i have a fever and my back hurts", "fever-unwell"),
        ("back hurts and im boiling up, shivery", "fever-unwell"),
        ("feeling awful and shivery, lower back aching", "fever-unwell"),
    ],
)
def test_a_back_sign_with_the_back_or_pain_named_still_fires(engine: AnswerEngine, text: str, flag_id: str) -> None:
    assert flag(engine, text) == (flag_id, "same_day")


@pytest.mark.parametrize("text", ["getting awful cramps in my back", "been terrible all week with this back spasm"])
def test_awful_pain_is_not_feeling_unwell(engine: AnswerEngine, text: str) -> None:
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
    assert any(p.startswith("redflags.toml: flag[ce-bladder-bowel]") and "negatable" in p for p in err.value.problems)


def test_back_only_emergency_flag_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, 'level = "emergency"\n', 'level = "emergency"\nback_only = true\n')
    with pytest.raises(ContentError) as err:
        load_redflags(path)
    assert any("back_only" in p for p in err.value.problems)


def test_back_named_without_back_only_is_refused(tmp_path: Path) -> None:
    """`back_named` narrows a back-only sign; on any other flag it would silently do nothing."""
    path = _copy(tmp_path, 'id = "cancer-history"\nlevel = "same_day"\n', 'id = "cancer-history"\nlevel = "same_day"\nback_named = true\n')
    with pytest.raises(ContentError) as err:
        load_redflags(path)
    assert any("back_named" in p for p in err.value.problems)


def test_unknown_level_names_file_and_field(tmp_path: Path) -> None:
    path = _copy(tmp_path, '\nlevel = "same_day"\n', '\nlevel = "soon"\n')
    with pytest.raises(ContentError) as err:
        load_redflags(path)
    assert any(p.startswith("redflags.toml: flag[fever-unwell].level") for p in err.value.problems)


def test_empty_choice_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, '["bladder|incontinence|', '["|bladder|incontinence|')
    with pytest.raises(ContentError) as err:
        load_redflags(path)
    assert any("redflags.toml" in p and "flag[ce-bladder-bowel]" in p and "has no word" in p for p in err.value.problems)


def test_duplicate_flag_ids_are_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path, 'id = "weight-loss"', 'id = "fever-unwell"')
    with pytest.raises(ContentError, match="used twice"):
        load_redflags(path)


# --- generalising mechanisms: each test fails when its mechanism is taken out -----------------


@pytest.mark.parametrize("text", ["cant controll my bowles", "cant controll my bowls since my back went"])
def test_flag_words_are_matched_through_slips_the_general_fixer_misses(engine: AnswerEngine, text: str) -> None:
    # "bowles" / "bowls" are one edit from "bowels" in the flag vocabulary itself.
    assert flag(engine, text) == ("ce-bladder-bowel", "emergency")


def test_real_words_the_content_uses_are_not_read_as_slips(engine: AnswerEngine) -> None:
    from bot.core.redflags import _Fuzzy

    fuzzy = _Fuzzy({"tripped", "bowels"})
    assert fuzzy.near("trapped", 5) == {"trip"}  # one vowel off: could be a slip
    assert fuzzy.near("bowles", 5) == {"bowel"}
    fuzzy.not_typos({"trapped"})  # ... but the content uses "trapped" ("a trapped nerve")
    assert fuzzy.near("trapped", 5) == frozenset()
    assert engine.answer("feels like a trapped nerve in my lower back").kind != "check"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pins n needles in both legs", "both-legs"),  # text-speak "n"
        ("I can't really feel the paper when I wipe", "ce-saddle"),  # filler dropped, effect wording
        ("pins and needles in my left leg and my right leg", "both-legs"),  # left and right is both
        ("heavy pressure in the middle of my chest", "chest-pain"),  # window in content words
        ("blad\u200bder leaking since my back went", "ce-bladder-bowel"),  # zero-width space
        ("my bl\u0430dder is leaking", "ce-bladder-bowel"),  # Cyrillic a
        ("didnt realise id wet myself", "ce-bladder-bowel"),  # "didn't realise" is no denial
    ],
)
def test_everyday_wording_mechanisms(engine: AnswerEngine, text: str, expected: str) -> None:
    assert flag(engine, text) == (expected, "emergency")


def test_a_flag_without_its_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "redflags.toml"
    text = (DEFAULT_CONTENT_DIR / "redflags.toml").read_text(encoding="utf-8")
    start = text.index('source = "NHS: Back pain (call 999); NHS trust cauda equina syndrome leaflets; NICE CKS')
    path.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_redflags(path)
    assert any("flag[ce-bladder-bowel].source" in p for p in err.value.problems)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # Someone else's condition, told by a writer whose own back is the subject: asked, not alarmed.
        ("my brother was in a car crash last month and I hurt my back lifting his wheelchair", "check"),
        ("dad has prostate cancer and I've done my back in lifting him", "answer_or_no_match"),
        # ... but a relative writing about THEIR back is an emergency.
        ("my dad fell off a ladder and his back is agony", "urgent"),
        # A telling phrase anywhere puts every match in doubt.
        ("I googled cauda equina at 2am and scared myself, it is a normal spasm from lifting", "check"),
    ],
)
def test_whose_sign_it_is(engine: AnswerEngine, text: str, kind: str) -> None:
    reply = engine.answer(text)
    if kind == "answer_or_no_match":
        assert reply.kind in ("answer", "no_match", "clarify")
    else:
        assert reply.kind == kind


# Harmless wordings that looked like a warning sign (found while writing topic examples).
@pytest.mark.parametrize(
    "text",
    [
        "is poor posture a cause of back spasms",
        "im on blood thinners, what can i take for my back",
        "is it bad to wear a back brace all the time",
        "took a knock to my back at work and now it spasms",
        # Set 28: a trip is a journey, "dead in my tracks" is not numb.
        "the spasm stopped me dead in my tracks on the stairs, what helps?",
        "my back spasms after every trip to the coast, is it the long drive?",
        # Set 29: a computer that crashes; a manager breathing down my neck.
        "my computer keeps crashing when I play games, any fix?",
        "my manager is always breathing down my neck about deadlines, how do I cope",
    ],
)
def test_everyday_wordings_raise_no_flag_and_no_question(text: str) -> None:
    from bot.core.answers import AnswerEngine

    reply = AnswerEngine.from_dir().answer(text)
    assert reply.kind not in ("urgent", "check"), (reply.kind, reply.flag)


def test_a_part_that_is_only_a_place_does_not_hide_a_sign_of_the_back(engine: AnswerEngine) -> None:
    """ "A pillow between my knees" says where the pillow goes; the message is still about the back."""
    reply = engine.answer("tried a pillow between my knees, nothing helps, this spasm wakes me at 3am every night")
    assert (reply.kind, reply.flag) == ("urgent", "constant-night")


@pytest.mark.parametrize(
    "text", ["i feel really poorly and my back is killing", "the pain is there all the time even wearing my brace",
             "my legs have gone dead and my back is in spasm",
             # Ninth session: the drug words and a temperature still count.
             "on smack for years, back agony now", "i shoot up, back kills", "temp 39 and lower back pain",
             "had a kidney transplant, now new back pain"]
)
def test_the_real_signs_next_to_them_still_flag(text: str) -> None:
    from bot.core.answers import AnswerEngine

    assert AnswerEngine.from_dir().answer(text).kind == "urgent"


def test_the_red_flag_files_own_words_are_never_corrected_into_flag_words():
    """Unknown to the typo fixer, "neither" became the saddle word "nether", so "neither ice nor
    heat helps" got the cauda equina question. Every word of the file's lists is a known word."""
    from bot.core.answers import AnswerEngine

    engine = AnswerEngine.from_dir()
    assert [t.word for t in engine.normaliser.tokens("neither ice nor heat helps")][0] == "neither"
    assert engine.answer("my back hurts, neither ice nor heat helps").kind == "answer"
    assert engine.answer("my nether regions feel numb since my back went").kind == "urgent"
    assert {"neither", "nor"} <= engine.redflags.other_words


def test_real_english_words_are_never_corrected_into_red_flag_words():
    """Without a word list, "mild" was "corrected" to "mid" (the thoracic sign's word), so
    "mild back pain" got a safety question; "rejection" became "erection". Typos still are fixed."""
    from bot.core.answers import AnswerEngine

    engine = AnswerEngine.from_dir()
    for word in ("mild", "rejection", "crouching", "counting", "radiator", "spelling"):
        assert [t.word for t in engine.normaliser.tokens(word)] == [word]
    assert engine.answer("mild back pain for two days, what helps").kind == "answer"
    for typo, fixed in (("numbnes", "numbness"), ("bladdr", "bladder"), ("heet", "heat")):
        assert [t.word for t in engine.normaliser.tokens(typo)] == [fixed]


def test_a_fever_with_no_back_is_declined_saying_when_it_matters(engine: AnswerEngine) -> None:
    # Fourteenth session: the blind off-topic sets filed "my toddler has a fever" and "how long does
    # flu last" as not ours; asking "do you have a fever?" there was a question nobody needed.
    for text in ("my toddler has a fever, when should I call the doctor?", "how long does flu usually last"):
        reply = engine.answer(text)
        assert reply.kind == "no_match" and reply.declined and reply.check is None
        assert "back pain as well as a fever" in reply.text and "111" in reply.text
    # With a back, or as one of our questions, the sign is still asked about or answered.
    assert engine.answer("I have a fever, should I see a doctor").kind == "urgent"
    assert engine.answer("my back is in spasm and I feel shivery and poorly").kind in ("urgent", "check")


def test_a_minor_accident_is_asked_about_a_crash_is_an_emergency(engine: AnswerEngine) -> None:
    # NHS: A&E after a SERIOUS accident; a small bump at low speed gets the injury question.
    minor = engine.answer("was in a minor accident last week, someone bumped the back of my car, now my back keeps knotting")
    assert (minor.kind, minor.check) == ("check", "check-injury")
    assert engine.answer("car crash on the motorway yesterday and my back is agony").kind == "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "I can feel everything down there, no issues going to the toilet, is it just a spasm?",
        "my mum keeps asking if I have a temperature, I don't, it's just my back",
    ],
)
def test_a_denial_in_its_place_or_a_question_asked_of_me_raises_no_alarm(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind != "urgent"


def test_a_person_after_an_animal_is_a_person_again(engine: AnswerEngine) -> None:
    assert flag(engine, "the horse reared and threw me into the fence, back hurting badly") == ("serious-injury", "emergency")


@pytest.mark.parametrize(
    "text",
    [
        "could i go for a wee stroll with this back spasm",  # Scots "wee" is small, not a pee
        "should a back spasm come and go or is it constant",  # a question about constant pain
        "tweaked my back sneezing this morning, how long will the spasm last",  # the sneeze began it
    ],
)
def test_words_of_a_sign_in_another_sense_raise_nothing(engine: AnswerEngine, text: str) -> None:
    reply = engine.answer(text)
    assert reply.kind == "answer", (reply.kind, reply.flag)


# Signs said in everyday ways found on the blind rounds' dev parts (seventh session), each next
# to the plain wording it must not break, and near misses that must raise no alarm.
SIGNS_IN_EVERYDAY_WORDS = [
    # Round 21: the same signs said plainly still flag.
    ("i've got the chills and my back is killing me", "fever-unwell", "same_day"),
    ("eating a normal diet but lost 2 stone without trying and my back aches", "weight-loss", "same_day"),
    ("i havent been dieting but lost 2 stone for no reason, back aches", "weight-loss", "same_day"),
    ("my back is bad all day but the worst bit is the night, i wake at 3 with it throbbing", "constant-night", "same_day"),
    ("my lower back has hurt all day and night for three weeks", "constant-night", "same_day"),
    ("lying down makes the pain worse and it wakes me every night", "constant-night", "same_day"),
    # Round 23: news, dialect, new words.
    # "Never ... before ... now" is news, not a denial.
    ("never had pain in my chest with a back spasm before, but today I do", "chest-pain", "emergency"),
    ("my toes have never caught the floor like this before, only the left foot", "one-leg-nerve", "same_day"),
    ("never hurt to cough before, now every cough makes my back scream", "cough-sneeze", "same_day"),
    # Nigerian Pidgin "no fit" is "can't".
    ("my back don spoil and I no fit pee since yesterday", "ce-bladder-bowel", "emergency"),
    ("a stack of scaffolding boards fell on top of me at work and my back is agony", "serious-injury", "emergency"),
    ("lying flat makes zero difference to the pain", "constant-night", "same_day"),
    ("continuous pain in my lower back for a week", "constant-night", "same_day"),
    ("it hurts between the blades when I breathe in", "thoracic", "same_day"),
    ("lost a stone without me trying and my back aches", "weight-loss", "same_day"),
    # Round 24.
    ("my husband's sheets were wet this morning and he didnt know he'd done it, back's been bad all week", "ce-bladder-bowel", "emergency"),
    ("since the spasm started, at the end with my wife the semen is not coming out", "ce-sexual", "emergency"),
    ("since my back went the little fella won't wake up at all", "ce-sexual", "emergency"),
    ("hurt my back in a car crash this morning, back in agony", "serious-injury", "emergency"),
    ("71, sudden tummy and back pain, feel dizy", "aneurysm", "emergency"),
    ("my right foot flaps when I walk since my back went", "one-leg-nerve", "same_day"),
    ("my belt needs a new hole and I'm not dieting, back aching for weeks", "weight-loss", "same_day"),
    ("at night the back pain is more strong and I wake up", "constant-night", "same_day"),
    ("she grabs her back and winces every time she coughs", "cough-sneeze", "same_day"),
    # Round 25.
    ("back spasm 3 weeks, ED since, 41M", "ce-sexual", "emergency"),
    ("like an elephant sitting on me at the front while my back is clenched", "chest-pain", "emergency"),
    ("the scales keep going down even though I'm eating normally, and my back aches", "weight-loss", "same_day"),
    ("my belt's in two notches and I'm not even trying, back keeps seizing", "weight-loss", "same_day"),
    ("since I got someone else's liver I take pills so my body doesn't reject it, now my back aches", "infection-risk", "same_day"),
    ("my toes won't come up on the right since my back went", "one-leg-nerve", "same_day"),
    # Round 26 (eighth session): what follows "but" is what the person stands by; a part said to
    # be fine is not what the message is about.
    ("could just be a knot in the muscle, but there's a hard lump by my spine now", "lump-shape", "same_day"),
    ("no temperature, legs ok, but when I cough the pain nearly floors me", "cough-sneeze", "same_day"),
    # Something heavy that hit the person; "nearly killing me" says how bad, not that it did not;
    # "the back and ..." (Irish English) is the person's back.
    ("a stack of crates toppled over and hit me across the back at work", "serious-injury", "emergency"),
    ("can't sneeze without my back nearly killing me", "cough-sneeze", "same_day"),
    ("I messed myself without noticing and my back is agony", "ce-bladder-bowel", "emergency"),
    ("I'm in bits with the back and I'm boiling and freezing in turns, feel rotten", "fever-unwell", "same_day"),
    # Round 28: what the bottom no longer feels like, heights, kilos lighter, "doesn't know why",
    # "appetite is fine" (said of the appetite), "all day and all night", anyone's upper back,
    # "breast ca", laughing that hurts.
    ("since Tuesday my bum feels like it isn't mine when I sit, back in spasm", "ce-saddle", "emergency"),
    ("the scales say I'm 6kg lighter since summer and I haven't been trying, back aches", "weight-loss", "same_day"),
    ("dad's lost 7kg and doesn't know why, and his back is bad", "weight-loss", "same_day"),
    ("appetite is fine but I keep losing weight and my back aches", "weight-loss", "same_day"),
    ("her back pain is there all day and all night, nothing makes it go away", "constant-night", "same_day"),
    ("his pain is in the middle of his back, up by the shoulder blades", "thoracic", "same_day"),
    ("history of bowel ca, now new back pain", "cancer-history", "same_day"),
    ("laughing hurts my back so much", "cough-sneeze", "same_day"),
    # Knocked down by a car in a car park is no minor bump there.
    ("I was knocked down by a car in the car park at work and my back is agony", "serious-injury", "emergency"),
    ("back pain, cant sleep at night for it", "constant-night", "same_day"),
    # Round 29: "not herself", hot and cold with chattering teeth ("back in spasm" is the body),
    # "it's in my upper back", a cough that makes him yell, "coff", bones "like chalk".
    ("Nan is 84, her back's bad and tonight she's not herself, hot to the touch", "fever-unwell", "same_day"),
    ("been hot and cold since lunch, teeth chattering, back in spasm", "fever-unwell", "same_day"),
    ("he can't cough without yelling, it goes straight to his back", "cough-sneeze", "same_day"),
    ("coff = back agony", "cough-sneeze", "same_day"),
    ("the GP says my bones are like chalk and I bent to the dishwasher and my back went", "fracture-risk", "same_day"),
    # Round 31 (ninth session): not able to laugh or sneeze for it; "under the weather" is feeling
    # ill, not the weather; an older person's sudden pain with no fall; placed above the low back.
    ("can't sneeze, can't laugh, my back goes every single time", "cough-sneeze", "same_day"),
    ("feeling under the weather, temperature 38.9 and my back aches", "fever-unwell", "same_day"),
    ("my mum is 67 and got a sudden pain in her back putting the kettle on", "fracture-risk", "same_day"),
    ("not in my lower back, it's further up, between the bra and my neck", "thoracic", "same_day"),
    # "Never happened before" says what came before it is new; it denies nothing after it.
    ("need a new hole in my belt which never happened before and im not on a diet, back sore", "weight-loss", "same_day"),
    # "Fine, but" the pain that follows; hit by something heavy that fell.
    ("my daughter was in a car crash today, she says she's fine but now her back is really sore", "serious-injury", "emergency"),
    ("got hit by a falling pallet at work, back locked up", "serious-injury", "emergency"),
    # "Most nights" is at night.
    ("my back has been keeping me up most nights this week", "constant-night", "same_day"),
    # Leaking unnoticed; on the toilet and nothing starts.
    ("been leaking without noticing since my back went", "ce-bladder-bowel", "emergency"),
    ("i sit on the toilet for ages and nothing starts, back agony", "ce-bladder-bowel", "emergency"),
    # Euphemisms: things "aren't working" downstairs, nothing happening in "the trouser department".
    ("things downstairs arent working since the back pain started", "ce-sexual", "emergency"),
    ("nothing happening in the trouser department since my back went", "ce-sexual", "emergency"),
    # The gym or exercise named near a plain word for the sign is no reason to doubt it (only
    # "can't finish my set / session" is another sense).
    ("since the gym my back is agony and i cant get an erection, what exercises can i do", "ce-sexual", "emergency"),
    # Lying still, any position, "nights are the worst": no rest from it.
    ("my back hurts even when im lying still in bed", "constant-night", "same_day"),
    ("it hurts the same whatever position i'm in", "constant-night", "same_day"),
    ("nights are the worst for my back", "constant-night", "same_day"),
    # An animal in a comparison is not the subject: the legs are the writer's.
    ("back feels like a dog chewing at it with both legs going numb", "both-legs", "emergency"),
    ("feels like a horse kicked it and both legs are numb", "both-legs", "emergency"),
    # Tenth session.
    # NICE CKS: a recent bacterial infection (a urine infection) is a risk factor for a spinal one.
    ("finished antibiotics for a bladder infection on friday and now my back is really sore", "recent-infection", "same_day"),
    ("i've had a UTI this week and the lower back pain is getting worse", "recent-infection", "same_day"),
    # Tenth session: the chest by its landmarks, slang for the genitals, numbness told as the
    # dentist's jab, little coming out, an older person sitting down heavily, what a medicine does.
    ("a crushing weight right across my boobs and my back is in spasm", "chest-pain", "emergency"),
    ("since his back went, his bits stop working when they try", "ce-sexual", "emergency"),
    ("my bum feels like after the dentist, all rubbery, back in agony", "ce-saddle", "emergency"),
    ("since the back pain started barely anything comes out when i finish", "ce-sexual", "emergency"),
    ("grandad, 88, sat down a bit heavily on the sofa and his back is sore now", "fracture-risk", "same_day"),
    ("he takes immune-lowering tablets for his arthritis and his back is bad", "infection-risk", "same_day"),
    ("my back is horrendous when i lie down at night", "constant-night", "same_day"),
    # A blade in at the front and out at the back; a tear that goes to the back; neither leg
    # holding; ribs in a vice; a pain that is always there.
    ("like a knife went in the front of my belly and out the back, all of a sudden", "tearing-pain", "emergency"),
    ("sudden feeling of something tear in the belly, it goes to my back", "tearing-pain", "emergency"),
    ("since this morning neither leg will take my weight and my back is in spasm", "both-legs", "emergency"),
    ("back in spasm and my ribs feel clamped in a vice", "chest-pain", "emergency"),
    ("the ache in my lower back is always there, day after day", "constant-night", "same_day"),
    # "Not been able to" is "can't"; an aside ("you know") between its commas does not split the
    # sign; "OK otherwise" is well apart from the sign, no reason to doubt it.
    ("since my back went I havent been able to get it up", "ce-sexual", "emergency"),
    ("since the back spasm I can't, you know, get hard", "ce-sexual", "emergency"),
    ("on prednisolone for years for my asthma, OK otherwise, and today a sudden pain in my back", "fracture-risk", "same_day"),
    # A new shape said by a picture or a feel: an S, a ridge, a knobbly bit.
    ("my wife reckons my spine looks like an S from behind these days, and it aches", "lump-shape", "same_day"),
    ("found a knobbly bit on my lower back that wasn't there last month", "lump-shape", "same_day"),
    # Round 34's kinds: what the person can no longer do or feel, in their own words.
    ("since the spasm I strain and wait ages before any wee starts", "ce-bladder-bowel", "emergency"),
    ("didn't notice the shower was far too hot on my bum until my wife said, back's bad", "ce-saddle", "emergency"),
    ("everything from the waist down has gone numb since my back went", "both-legs", "emergency"),
    ("a filing cabinet came down on my back in the office", "serious-injury", "emergency"),
    ("my back is in spasm and i just cant get warm today", "fever-unwell", "same_day"),
    ("up at 3 or 4 in the morning pacing because of my back", "constant-night", "same_day"),
    ("blowing my nose sends my back into agony", "cough-sneeze", "same_day"),
    ("my left toes keep snagging on the carpet since the back went", "one-leg-nerve", "same_day"),
    ("eating as usual but my jeans are loose now and my back aches", "weight-loss", "same_day"),
    ("my wife is getting so thin and her back hurts all the time now", "weight-loss", "same_day"),
    ("should laughing hurt my back like this? a comedy nearly finished me", "cough-sneeze", "same_day"),
    # Round 36 and 37's kinds: a reading on the thermometer, a hacking cough, the strap line and
    # the bit no hand reaches, kept up in the small hours, a leg that won't obey, a bone medicine.
    ("the thermometer read 38.6 and my back has gone into spasm", "fever-unwell", "same_day"),
    ("he is boiling to the touch and his back hurts", "fever-unwell", "same_day"),
    ("hacking away all week and every hack makes my lower back scream", "cough-sneeze", "same_day"),
    ("my back hurts right where my rucksack sits, never had it there", "thoracic", "same_day"),
    ("it's the bit of my back you can't reach to scratch that's sore", "thoracic", "same_day"),
    ("the pain gets me up in the small hours, my back is awful", "constant-night", "same_day"),
    ("my back aches right through till morning lately", "constant-night", "same_day"),
    ("since my back went my right leg just won't do what I want", "one-leg-nerve", "same_day"),
    ("i've been on alendronate for 3 years and today my back went bending to the dishwasher", "fracture-risk", "same_day"),
    ("nan is 90, sat down on the bench a bit too hard and her back hurts now", "fracture-risk", "same_day"),
    ("back pain and one shoulder looks higher than the other all of a sudden", "lump-shape", "same_day"),
    ("there is a puffy patch over my spine and it hurts", "lump-shape", "same_day"),
    # ... and the emergencies: a tree at speed, a squeeze at the front or the pec area, insides
    # coming apart, not staying firm, everything dulled in bed.
    ("mountain biking yesterday, rode straight into a tree, back's in bits", "serious-injury", "emergency"),
    ("back pain and a crushing sort of squeeze at the front of me", "chest-pain", "emergency"),
    ("my back hurts and my pec area feels tight and heavy", "chest-pain", "emergency"),
    ("he says it's like his insides are coming apart, right through to his back", "tearing-pain", "emergency"),
    ("since the back went i can't stay firm with my girlfriend", "ce-sexual", "emergency"),
    ("back went on monday and now everything feels dulled when we make love", "ce-sexual", "emergency"),
    # A face of pain where the word would be.
    ("every sneeze 😣 my lower back", "cough-sneeze", "same_day"),
    # Round 38 and 39's kinds: legs that fold or that neither works, a pressure at the front, a
    # pec aching down the arm, a blade through to the back, scales going down or a size dropped,
    # no position comfortable, pulled out of sleep, a hard ball, armpit level, clearing the throat,
    # a cancer asked about as "is it linked".
    ("my pins just fold under me since the back went", "both-legs", "emergency"),
    ("since my back went neither of his legs works properly", "both-legs", "emergency"),
    ("back's killing me and my pec aches down my left arm", "chest-pain", "emergency"),
    ("sudden pain like a blade from my belly through to my back", "tearing-pain", "emergency"),
    ("my back aches and I've dropped a size in jeans without trying", "weight-loss", "same_day"),
    ("cant get comfortable whatever i try, the back pain never shifts", "constant-night", "same_day"),
    ("the back pain pulls me out of my sleep every night", "constant-night", "same_day"),
    ("found a hard ball by my spine, my back aches", "lump-shape", "same_day"),
    ("pain in my back level with my armpits", "thoracic", "same_day"),
    ("clearing his throat sends his back into agony", "cough-sneeze", "same_day"),
    ("dad had prostate cancer, is it linked to his new back pain?", "cancer-history", "same_day"),
    ("weird one but finishing feels muted now, since the back went", "ce-sexual", "emergency"),
    ("my husband says he has lost his nature since his back went", "ce-sexual", "emergency"),
    ("my back spasm is awful and twice today I have leaked with no warning at all", "ce-bladder-bowel", "emergency"),
    # Twelfth session, read from rounds 41-43's dev misses as kinds: each thigh, pain that travels to
    # the jaw or comes round into the chest, the front of his ribs, a splitting pain through to the back,
    # spluttering and nose-blowing, weight dropping 'not sure why', his middle, Scots words.
    ("my lower back is in bits and there's a shooting pain down each thigh", "both-legs", "emergency"),
    ("the ache in my back now goes right up to my jaw, feels like a weight", "chest-pain", "emergency"),
    ("a splitting pain came out of nowhere and went right through to my back", "tearing-pain", "emergency"),
    ("every time I splutter with this cold my back screams", "cough-sneeze", "same_day"),
    ("blowing my nose sets off my back every single time", "cough-sneeze", "same_day"),
    ("my back's sore and my weight keeps dropping, not sure why", "weight-loss", "same_day"),
    ("grandad's 78 and has sudden awful pain in his middle and back, he looks like he'll faint", "aneurysm", "emergency"),
    ("it's been sair for a week, right atween ma shooder blades", "thoracic", "same_day"),
    ("pain shootin doon baith legs fae my back", "both-legs", "emergency"),
    ("his back has gone into spasm and it's coming round into his chest now", "chest-pain", "emergency"),
    ("a dull weight on the front of his ribs and his back is in spasm", "chest-pain", "emergency"),
    # 'Near' is a place, not 'nearly'; 'heating' is not 'heat packs'; going white; a shoe that catches or
    # slips off one foot; not having needed a wee; a part that will not cooperate.
    ("the ache sits up near the top of my spine and it's sharp when I turn", "thoracic", "same_day"),
    ("my spine hurts up at the top now, not down low like usual", "thoracic", "same_day"),
    ("since my back went the little man just won't cooperate", "ce-sexual", "emergency"),
    ("dad is 80, sudden pain in his tummy and his back and he's gone white", "aneurysm", "emergency"),
    ("my right shoe keeps catching on the kerb since my back went", "one-leg-nerve", "same_day"),
    ("she hasn't needed a wee since this morning and her back is in spasm", "ce-bladder-bowel", "emergency"),
    ("my sandal keeps slipping off my right foot since my back went, can't hold it on", "one-leg-nerve", "same_day"),
    ("my back needs heat packs and now there's no feeling when we're intimate", "ce-sexual", "emergency"),
    ("my back pain gets me out of bed in the early hours most nights", "constant-night", "same_day"),
    ("my back has ached for a month and everyone keeps telling me I look thinner", "weight-loss", "same_day"),
    # Thirteenth session, rounds 45-47's dev misses read as kinds: someone else who NOTICED the
    # writer's sign; a thing under the skin; one side higher than the other; a sneeze like a hammer;
    # straining that sets the back off; the doctor or nurse who said it; not finishing; nothing
    # happening in the mood; a bladder not emptied; a tackle at full pelt; the small hours; one
    # thigh gone weak; a foot that dangles.
    ("my husband has spotted a swelling low on my back and it's tender when I press", "lump-shape", "same_day"),
    ("there's a little hard thing under the skin over my spine where it aches", "lump-shape", "same_day"),
    ("my shoulder blade on the left now sits higher than the other, and my back hurts", "lump-shape", "same_day"),
    ("every sneeze feels like a hammer hitting my lower back", "cough-sneeze", "same_day"),
    ("pushing on the toilet sets my back off badly since the spasm", "cough-sneeze", "same_day"),
    ("I'm on tacrolimus after my transplant, my nurse says it lowers my immunity, and my back is killing me", "infection-risk", "same_day"),
    ("my back is agony and I haven't emptied my bladder since breakfast", "ce-bladder-bowel", "emergency"),
    ("her back hurts just below her neck in the middle", "thoracic", "same_day"),
    ("my left foot just dangles when I lift my leg, back's been bad all week", "one-leg-nerve", "same_day"),
    ("there's something sticking up on my backbone now and my back aches", "lump-shape", "same_day"),
    ("my bad back seems to stop me finishing, it just doesn't happen now", "ce-sexual", "emergency"),
    ("since my back went nothing happens when I'm in the mood", "ce-sexual", "emergency"),
    ("got flattened at full pelt in the rugby and my back's wrecked", "serious-injury", "emergency"),
    ("my back pain is much worse in the small hours", "constant-night", "same_day"),
    ("my left thigh is weak and heavy since the back spasm", "one-leg-nerve", "same_day"),
]
NEAR_MISSES = [
    # Sixteenth session: a ranking is no wee; a cat that woke someone injured nobody.
    "what's the number one cause of back spasms?",
    "the cat woke me at 5 and my back was stiff",
    # Shoes on the floor tripped over are no foot that catches.
    "tripped over my son's shoes, didn't go down, back feels tight since",
    "the spasm hit me like a knife when I got out of the van, sharp pain, is that bad?",
    # The review of the sixteenth session's first rules found these alarmed (a swing, a spasm that
    # "knocked me off my feet" or "hit me like a bull", kids on top of someone in a car, a traffic
    # jam, a bust back, a bra, giddy children, an ice pack's cold skin, chilli, a car park bump).
    "swung round too fast lifting a box and my back seized",
    "the spasm knocked me off my feet, had to lean on the wall",
    "the spasm hit me like a bull, can't move my back",
    "my son jumped on top of me in the car and my back went into spasm",
    "stuck in a traffic jam me back is killing me",
    "I bust my back lifting and the pressure is unbearable",
    "my new sports bra squeezes my boobs and my back spasm is no better",
    "the kids are giddy with excitement and my tummy is in knots, back spasm from carrying them",
    "the ice pack made my skin cold and my tummy muscles tense, back spasm",
    "coughing from the red hot chilli and my back twinged",
    "someone reversed into me in the car park at 2mph, back was already sore",
    # ... and a second review: a van that can't pass anything, a rucksack onto a back, a treadmill
    # at full pace, a brace round the front, children sitting on someone, pecs "crushing it" at
    # the gym, a Jack Russell, a basket rolling downstairs.
    "I cant pass anything on the motorway in this old van, back aches from driving",
    "lifted the heavy rucksack onto my back and felt a twinge",
    "I hit full pace on the treadmill and my back seized",
    "I wear a back brace with a band round the front of me and it feels tight",
    "my daughter was sitting on me on my front playing horsey, now my back twinges",
    "my pecs feel like they're crushing it at the gym, back spasm after bench",
    "the jack russell pinned me to the bed and I twisted my back",
    "the laundry basket rolled from the top of the stairs, I bent to catch it and my back went",
    # A small animal's "verb + me" is still the animal's story: only a horse, pony or cow keeps it.
    "my heavy dog pinned me to the sofa for cuddles and my back twinged",
    "my cat landed on me off the wardrobe and my back twinged",
    # Fifteenth session: each was an alarm in a draft of its patterns (a bare "left arm", "below the
    # waist" read as both legs, "every second", "never goes"); each pattern now needs its sign's word.
    "I get a sharp pain just below my waist on the right side of my back",  # a place on the back, not both legs
    "lying on my front with my left arm under the pillow, is that ok for my back",
    "it doesn't matter if you sit or stand, just keep moving right?",
    "the pain is below the waist, in the lower back, since lifting",
    "everything below my waist is fine, just the back hurts",
    "my right leg aches from the hip down but I can walk fine",
    "I play golf every second weekend, could that cause spasms?",
    "is it possible it never goes if I don't get it treated",
    "I sneezed, got down on my knees to find my contact lens and my back went",
    # Found by the review of this session's change, each an alarm in its draft:
    "there's no comfortable position to sleep in with this back spasm, any tips?",
    "it hasn't eased yet, second day of the spasm, when will it ease off",
    "my back hurts when I sit, doesn't matter if I use a cushion or not",
    "my back hurts when I stand up, doesn't matter if I sat for five minutes or an hour",
    "everything from my hip down to my knee tingles when the spasm hits",
    "my back hasn't felt right since I slipped in the bathroom",
    "I'm a mum of three, on my feet every second of the day, my back aches by evening",
    "how do I get pee out of a mattress, my back hurts too much to flip it",
    "I was working in the front garden and the pain shot down my arm from my neck",
    "I'm middle aged, lower back spasm and both shoulders are stiff and sore from the desk",
    "I sneezed while getting down to my knees to pick up the toys and my back twinged",
    "the laxative worked, my bowels let go at last, is straining bad for my back spasm?",
    "this back spasm is driving me batty, and my foot keeps going numb",
    "lying on my tummy eases the spasm but my back is still throbbing",
    "did the garden yesterday and woke up in pain, is it normal to be worse the next morning",
    "is there anything that aids recovery from a back spasm",
    # Only the bowels "letting go" is the sign; a draft read any "let go" near a toilet.
    "the toilet seat gave way under me and my back twisted",
    "I had to let go of the loo rail and my back spasmed",
    # Thirteenth session: a lumpy sofa bed, two of something else, giving someone spasms.
    "slept on a lumpy sofa bed at my sister's and my back's stiff",
    "did two parkruns this week and now my back and calves are sore, normal?",
    "tall with long legs, is my low chair giving me these back spasms?",
    # A knock or a fall the writer calls minor, or a rung from the bottom: asked about, not alarmed on.
    "came off my scooter at the lights, nothing major, just a bruise, and now my back spasms",
    "missed the bottom rung of the stepladder and landed on my feet, back's been tight since",
    "I knocked my back on the corner of the lorry's tailgate and it's been spasming",
    # Twelfth session: a jaw that aches or clicks on its own is not pain travelling to it; "hacks"
    # are tips; "each" before a stretch is not both legs.
    "my jaw clicks when I chew and my back is stiff too",
    "I clench my teeth at night and my jaw aches in the morning",
    "long shifts driving, back sore, any seat hacks?",
    "each time I stretch my hamstrings my back feels better",
    # "Nearly" still denies; an older person's back that went last year and mended is no sign.
    "I nearly slipped on the stairs but grabbed the rail, my back is only a bit stiff",
    "grandad's back went last spring and he was gardening again in a fortnight, is that normal",
    # Getting out of bed stiff is morning stiffness; pain that gets one out of bed at night is the sign.
    "I sleep fine but my back is stiff when I get out of bed in the morning",
    # Thinner as others see it, with the diet said: weight lost on purpose.
    "people keep saying I look thinner since I started the diet, my back is just stiff from the gym",
    # Round 21: a reason told elsewhere, a word in another role.
    # A phrase is read within one clause: "when I wake, but by the afternoon" is not "woken by".
    "my back is stiff every morning when i wake, but by afternoon it loosens. is it the mattress?",
    # A question whether lying still makes it worse.
    "does lying in bed for days make a back spasm worse?",
    # A disc that bulges is no lump on the back; 40 degrees of weather is no fever; a twitch is no pain.
    "can a bulging disc give you back spasms?",
    "laying bricks in 40 degree heat, how much water so my back doesnt cramp",
    "three leg days in a row and now my back won't stop twitching, is it too much gym",
    # "chill" the verb is not the chills.
    "back spasm, no numbness, wee fine. can i just chill and wait it out?",
    # Weight lost on purpose, however far from the loss it is told.
    "my husband started a diet in june. his back went at the weekend while gardening and he is in a lot"
    " of pain with it. he is worried that the weight loss matters, he is not sure. does it?",
    # Round 23: a sign denied, a score, "each side".
    "never had any bladder trouble before, is that something to watch for with a spasm?",
    "right leg ache 3/10, back 6/10, and I can stand on one leg on each side fine",
    "bladder and bowels doing their usual thing, just a tight lower back from sitting on the loo too long",
    "nothing wrong with my waterworks, i just cant lower myself onto the toilet with this spasm",
    "why does it hurt more the morning after than on the night it happened?",
    "how do I stop my van skidding on black ice",
    # Round 24.
    "tried everything and nothing works, will my willing back ever sort itself out?",
    "I keep a rolled towel behind my back in the car, good idea?",
    "carried a heavy rucksack all day, back feels like a sack of potatoes",
    "my toddler's a right heavy lump to carry and my back is grumbling",
    "scared of osteoporosis because my mum had it, I'm 34 and my back went lifting the baby",
    "sitting on the loo is slow going but peeing and everything else is totally normal",
    # Round 25.
    "the back end of my car clunks over speed bumps, garage now or can it wait?",
    "there's a bulge on the back of my phone where the battery swelled, safe to use?",
    "my son's back is sore after a growth spurt and rugby, it eases with rest",
    "sore throat, runny nose, back no worse when I sneeze, just my usual stiffness",
    "I keep checking for numbness down below every hour, it always feels normal, am I mad",
    # Round 26: Scots denials ("nae", "no bother") and words the typo fixer took for signs
    # ("gaun" is going, not gaunt).
    "nae numbness, nae bother wi the bladder, just a sair back, should ah worry",
    "Ah'm fine gaun tae the loo, it's gettin aff the seat that's sore wi ma back",
    # Landing on a trampoline is not falling off one.
    "bounced on the trampoline with the kids and landed on my bum, back's a bit stiff",
    # An animal's back and "she" (the cat) who may be unwell.
    "our cat keeps arching her back and growling, is she unwell?",
    # "Messing about" is play, not soiling; a fall already checked ("nothing broken") is asked about.
    "messing about on the sofa with my brother, his elbow caught me in the back, now the muscle keeps twitching",
    "came off my bike on Sunday, A&E said nothing broken, but my back keeps seizing since, normal?",
    # Round 28: a hot water bottle is not feeling hot; a stiff back is not an erection; a sign
    # read about, not had.
    "had a hot bath and a hot water bottle, feel loads better today",
    "long drives for work, my back gets stiff, how often should I stop?",
    "is numbness in the bum a bad sign? I don't have it, I read it online",
    # A back that "went into spasm" by the car did not go into anything.
    "stepped out of the car at the chemist and it went into spasm right there lol",
    # Sleepless with no pain named; a bladder infection (asked about, not alarmed on).
    "cant sleep at night any tips",
    "pretty sure I've got a bladder infection again",
    # Round 29: lowering oneself is not soiling oneself; a weird ache is a pain; "if it doesn't
    # settle" is not pain that never settles.
    "need a wee but lowering myself onto the loo is agony, back so stiff",
    "a weird ache in my right buttock when I drive, legs fine",
    "thanks, I'll get back to you if it doesnt settle by Friday",
    # Ninth session: a sudden pain at 45, or in a 70-year-old's car, is no older person's sudden pain;
    # "like the muscle bulging" gives an example, it compares nothing.
    "I'm 45 and got a sudden twinge in my back reaching for the remote",
    "can you actually see a back spasm, like the muscle bulging",
    "lower back pain, not my upper back, bending makes it worse",
    # "Fine, but" with no pain after it is still a reason to ask first.
    "fell down the stairs, I'm fine but a bit shaken",
    # Asked in general, and said so.
    "is it bad if you cant control your bladder with back pain? mine is fine, just asking",
    "does back pain with a high temperature mean an infection? just curious",
    # Pain that shoots up the back, or a child who grew, is no injecting.
    "a sharp pain shot up my back when I bent to tie my shoe",
    "my 13 year old has shot up 3 inches and his back aches",
    # A smack is a knock, a hair transplant no immune drug, a temp a job. (A bum numb from a long
    # drive still gets the emergency reply: read as a seat's doing, it cost a kept-aside emergency.)
    "took a real smack on the back playing rugby, it keeps spasming",
    "had a hair transplant last month and now my back aches from lying still",
    "i work as a temp in a warehouse and my back is killing me",
    # Laughing and fear idioms are asked about first, not alarmed on.
    "pissed myself laughing at the state of me getting out of bed with this back",
    "im shitting myself that its something serious, back spasm since monday",
    "cant finish my gym session, back too sore",
    # A household thing downstairs that is not working is asked about, not alarmed on.
    "the heating isnt working downstairs and my back is cold",
    # The weight of what is carried is not heavy legs.
    "when carrying heavy boxes do i turn my feet or twist",
    # Tenth session: a garden bed is no bed; a urine infection asked about in
    # general, told before the "have", or long cleared up, is no recent infection.
    "weeded the flower bed all morning, now my back has gone into spasm",
    "can a water infection make your back ache?",
    "could my back pain be a kidney infection? I have no temperature",
    "had cystitis years ago, now a back spasm from gardening",
    "should i keep moving or not with a back spasm",
    "toilet is fine, standing back up off the seat is the hard bit with this back",
    # A fear of paralysis is asked about (the both-legs question), not alarmed on.
    "my back spasm has me scared of paralysis, is that silly",
    # A bump as a knock, typed short: "bumpd" is read as "bump".
    "bumpd my back on the cupboard door, now it spasms",
    # An accident with its year is an old one; one on a screen is not the writer's; another
    # person who opens the clause is who the sign is about. Each is asked about, not alarmed on.
    "came off my motorbike in 2009 and today a back spasm from digging the garden",
    "watched a documentary where a climber fell off a cliff and broke his back, now my own spasm worries me",
    "my neighbour lost a lot of weight on chemo, I pulled my back carrying her shopping",
    # Eleventh session: a comparison is no accident; a sign said to be over is no sign; being
    # laughed at strains no back.
    "every morning my back feels like I was hit by a car, by lunch it eases off",
    # ... with a word between the comparison and the accident (BEFORE_GAP).
    "most mornings my back feels like i was suddenly hit by a truck",
    "back achy since the birth, peeing and pooing all back to normal now",
    "my wife laughed at me trying to put my socks on with this back spasm",
    # A holder on the wrong side is not wiping that feels wrong.
    "the toilet roll holder is on the wrong side and twisting for it hurts my back",
    # A situation asked about in general, not told.
    "what do you do when the back spasm is so bad you cant get comfortable in any position",
]


@pytest.mark.parametrize(("text", "expected", "level"), SIGNS_IN_EVERYDAY_WORDS)
def test_signs_in_everyday_words_flag(engine: AnswerEngine, text: str, expected: str, level: str) -> None:
    assert flag(engine, text) == (expected, level)


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_raise_no_alarm(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind != "urgent"


@pytest.mark.parametrize("text", ["the ache in my back really gets going at night", "my back throbs at 3am most nights"])
def test_pain_at_night_not_surely_a_sign_is_asked_about(engine: AnswerEngine, text: str) -> None:
    """Pain told with the night that no rule is sure of gets the night question (Yes: same day)."""
    reply = engine.answer(text)
    assert (reply.kind, reply.check, reply.flag) == ("check", "check-night", "constant-night")


def test_the_night_question_is_not_asked_of_night_shifts_nor_in_place_of_a_sure_sign(engine: AnswerEngine) -> None:
    assert engine.answer("night shifts at the depot make my back ache, any tips?").kind == "answer"
    # area_only: a sure sign told with no back named keeps its urgent reply (the question stands in
    # only for signs of flags whose question is not area_only).
    reply = engine.answer("its relentless and resting makes no difference")
    assert (reply.kind, reply.flag) == ("urgent", "constant-night")


def test_an_ordered_window_needs_its_groups_in_order(engine: AnswerEngine) -> None:
    """ "~5>": the having before the infection ("had a UTI"), so a denial after it ("a UTI? I've
    got no fever") or a question is not read as having one."""
    assert flag(engine, "had a kidney infection last week and my back hurts") == ("recent-infection", "same_day")
    assert flag(engine, "kidney infection symptoms list please, I have back ache") is None


def test_well_said_of_someone_else_does_not_doubt_the_sign(engine: AnswerEngine) -> None:
    """ "Toddler's fine" is about the toddler: the writer's fall down the stairs stays an emergency.
    Said of the person the sign is about, it still puts the sign in doubt (a safety question)."""
    assert flag(engine, "fell down the stairs carrying my son, son is fine, my back is agony") == ("serious-injury", "emergency")
    assert flag(engine, "fell down the stairs with my toddler, toddler fine, my back hurts") == ("serious-injury", "emergency")
    reply = engine.answer("my son fell down the stairs yesterday, son's fine now, what helps back spasms")
    assert reply.kind == "check"


def test_a_roast_is_no_fever(engine: AnswerEngine) -> None:
    """ "How long do I roast a chicken": the fever flag's "I'm roasting" no longer reads it, so no
    fever question is asked of a cooking question (it is declined)."""
    assert engine.answer("how long should i roast a turkey for").kind == "no_match"


def test_an_accident_said_as_a_comparison_is_asked_about_but_a_real_one_still_alarms(engine: AnswerEngine) -> None:
    """`unless_before`: "like I've been run over" compares, so the injury question is asked; an
    accident told plainly keeps its emergency reply even when a comparison follows it."""
    compared = engine.answer("woke up feeling like I'd been run over by a bus, back stiff as a board")
    assert compared.kind == "check" and compared.check == "check-injury"
    real = engine.answer("came off the scaffolding onto my back, felt like being hit by a train")
    assert real.kind == "urgent" and real.level == "emergency"


def test_legs_dead_after_a_leg_workout_are_asked_about_not_alarmed(engine: AnswerEngine) -> None:
    """`unless_anywhere`: a leg day told anywhere makes tired legs a question, never a dropped sign."""
    reply = engine.answer("lol leg day at the gym yesterday and now both my thighs are dead")
    assert reply.kind == "check" and reply.check == "check-both-legs"


def test_a_part_that_says_how_someone_lies_is_not_what_hurts(engine: AnswerEngine) -> None:
    """ "Knees up" says how the person lies; the pain that never eases is still the back's sign."""
    reply = engine.answer("nothing eases it, tried lying flat with my knees up. the pain is there all the time")
    assert reply.kind == "urgent" and reply.flag == "constant-night"


@pytest.mark.parametrize(
    "text", ["can falling down cause a back spasm?", "does an accident ever lead to back spasms", "could a tumble give you back spasms?"]
)
def test_a_general_question_about_falls_gets_the_answer_that_names_the_emergency(engine: AnswerEngine, text: str) -> None:
    # Nobody in it fell: the muscle injury answer, which itself says to call 999 after a serious
    # fall or crash, is the reply, not a safety question about an accident nobody had.
    reply = engine.answer(text)
    assert (reply.kind, reply.topics[0]) == ("answer", "muscle-injury")
    assert all(n in reply.text for n in ("112", "911", "999"))


@pytest.mark.parametrize(
    "text", ["I fell down, can falling cause a back spasm?", "my dad fell, can a fall cause back spasms", "we were in an accident, can that cause back spasms",
             "after a fall, back spasms, help?", "spasms after a tumble?"]  # told, not asked in general
)
def test_a_fall_that_happened_to_someone_is_still_asked_about(engine: AnswerEngine, text: str) -> None:
    reply = engine.answer(text)
    assert (reply.kind, reply.check) == ("check", "check-injury")


def test_a_check_answered_by_a_topic_that_omits_the_numbers_is_refused(tmp_path: Path) -> None:
    shutil.copytree(DEFAULT_CONTENT_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / "redflags.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('answered_by = ["muscle-injury"]', 'answered_by = ["ice-or-heat"]'), encoding="utf-8")
    with pytest.raises(ContentError, match="ice-or-heat"):
        AnswerEngine.from_dir(tmp_path)


# Fourteenth and fifteenth sessions, from the dev parts of rounds 49-51 and 53-55 (own sentences;
# each got no urgent reply, or another sign's, from its session's start engine), through the whole
# answer pipeline.
@pytest.mark.parametrize(
    ("text", "sign", "level"),
    [
        # The back named after a comma is the back, whatever came before ("can't get warm, back ...").
        ("teeth chattering all evening, can't get warm, back is killing me", "fever-unwell", "same_day"),
        ("face has gone gaunt, back has been giving me grief for weeks", "weight-loss", "same_day"),
        ("the ache has spread from my lower back down both legs into my heels", "both-legs", "emergency"),
        ("back's been sore for weeks and I've lost weight, I'm not following any diet", "weight-loss", "same_day"),
        ("his rings keep falling off these days and his lower back hurts", "weight-loss", "same_day"),
        ("my joggers won't stay up any more and my back aches", "weight-loss", "same_day"),
        # "On top of me" is no longer dropped with "on top of that".
        ("the tractor rolled on top of me in the field and my back is agony", "serious-injury", "emergency"),
        ("a snowboarder skied into me at top speed, my back is wrecked", "serious-injury", "emergency"),
        ("whenever I hack up phlegm my back is agony", "cough-sneeze", "same_day"),
        ("my flatmate takes drugs intravenously and has bad back pain", "infection-risk", "same_day"),
        ("his back aches whichever way he lies, day and evening", "constant-night", "same_day"),
        ("the pain is the same whether I'm up or lying down", "constant-night", "same_day"),
        # "Almost gave way" is a weak leg already, not a denial like "almost tripped".
        ("my right leg almost gave way on the stairs since the spasm", "one-leg-nerve", "same_day"),
        # Hay fever's sneezes, a cough's bark, and "nearly made me collapse" (how bad, not a denial).
        ("my hay fever is awful and every time it sets me off my lower back seizes", "cough-sneeze", "same_day"),
        ("a sneeze nearly made me collapse, my back is wrecked", "cough-sneeze", "same_day"),
        ("each time he barks his back goes into agony", "cough-sneeze", "same_day"),
        # Euphemisms for erection trouble.
        ("he's been having difficulties in the bedroom since his back went", "ce-sexual", "emergency"),
        ("back spasm for a week and my manhood is not standing like before", "ce-sexual", "emergency"),
        # Fifteenth session.
        # A sneeze said as its sound; one that brought the person to their knees.
        ("my back's been bad all week and a big atishoo just now had me in agony", "cough-sneeze", "same_day"),
        ("sneezed this morning and it dropped me to my knees, my back is wrecked", "cough-sneeze", "same_day"),
        # Jamaican "batty" is the bottom.
        ("since the spasm my batty feels numb when I sit", "ce-saddle", "emergency"),
        # Everything below the waist failing is both legs.
        ("back went last night and now everything below my waist feels numb", "both-legs", "emergency"),
        # Pain at the front spreading into the left arm, as heart pain does.
        ("an ache at the front going into my left arm, and my back is in spasm", "chest-pain", "emergency"),
        # The same in every position; never letting up; most nights.
        ("my back pain is the same, doesn't matter if I sit, stand or lie down", "constant-night", "same_day"),
        ("the back pain hasn't let up for a week, not for one minute", "constant-night", "same_day"),
        ("I wake up in agony most nights with my back", "constant-night", "same_day"),
        # "The middle of my two shoulders" (read as "both shoulders") is between the shoulder blades.
        ("it hurts in the middle of the two shoulders since saturday", "thoracic", "same_day"),
        # The bowels letting go, pressing to get the pee out, not having felt the urge.
        ("my bowels let go when I coughed, back is in bits", "ce-bladder-bowel", "emergency"),
        ("my husband says he hasnt felt the urge to wee since last night, his back is bad", "ce-bladder-bowel", "emergency"),
        ("since my back locked I have to press on my belly to get the pee out", "ce-bladder-bowel", "emergency"),
        # Sixteenth session (rounds 57-59): "number 1", Jamaican "cyaan", the inside of the thighs.
        ("since my back went I cant do a number 1 properly, it just dribbles", "ce-bladder-bowel", "emergency"),
        ("my back is agony and I cyaan pee at all since this morning", "ce-bladder-bowel", "emergency"),
        ("the inside of my thighs has gone numb since my back went", "ce-saddle", "emergency"),
        # Giddy and cold skin are faintness; pecs and a bust are the chest.
        ("she is 74, sudden pain in her back and stomach, and she says she feels giddy", "aneurysm", "emergency"),
        ("im 70, my belly and back suddenly hurt badly and my skin is cold", "aneurysm", "emergency"),
        ("my pecs feel like they are in a vice and my back hurts", "chest-pain", "emergency"),
        # An animal that injured the person ("a bull pinned me") is no longer read as the animal's own story.
        ("a bull pinned me against the fence and now my back is killing me", "serious-injury", "emergency"),
        ("the cow knocked me flat in the yard, my back is in agony", "serious-injury", "emergency"),
        ("fell off the terrace fixing the tank, back is agony", "serious-injury", "emergency"),
        ("everything from the hips down feels weak since my back went", "both-legs", "emergency"),
        ("people at work say I look slimmer but I havent changed anything, and my back aches", "weight-loss", "same_day"),
        ("5 kilos gone in a month, no idea why, back sore too", "weight-loss", "same_day"),
        ("back spasm doesnt let up, not even for a minute", "constant-night", "same_day"),
        # Pain "through the roof" is how bad it is (it read as a fall through a roof, an emergency).
        ("my back goes through the roof when I push to do a number 2", "cough-sneeze", "same_day"),
        ("every laugh sends my back pain through the roof", "cough-sneeze", "same_day"),
        ("every cough is like a hot poker in my back", "cough-sneeze", "same_day"),
        ("my husband's back hurts and one side sticks up higher than the other, never seen that before", "lump-shape", "same_day"),
        # From the top of the stairs all the way down; an okada (a motorbike taxi) that "jammed" someone.
        ("my mum tripped at the top of the stairs and went all the way down, her back hurts", "serious-injury", "emergency"),
        ("an okada jammed me on the road yesterday and my back is bad since", "serious-injury", "emergency"),
        ("the car slipped off the jack and came down on my lower back", "serious-injury", "emergency"),
        # A blade dragged, something come apart inside, cut in half; ribs like a band; a load
        # fallen onto the back; a horse on top of someone; everything below the hips.
        ("a sudden pain like a blade being dragged down inside my back, one second I was fine", "tearing-pain", "emergency"),
        ("something came apart inside me and went right through to my back, sudden", "tearing-pain", "emergency"),
        ("feels like someone cut me in half, goes right through to my spine", "tearing-pain", "emergency"),
        ("my ribs at the front feel like a band is tightening, and my upper back hurts", "chest-pain", "emergency"),
        ("a crate of bottles fell off the shelf onto my lower back at work", "serious-injury", "emergency"),
        ("the horse came down on top of me in the field and my back is screaming", "serious-injury", "emergency"),
        ("everything below my hips feels switched off since the spasm", "both-legs", "emergency"),
        ("every sneeze is a red hot poker in my back", "cough-sneeze", "same_day"),
        ("got tackled at full pace and folded backwards, back in spasm", "serious-injury", "emergency"),
    ],
)
def test_signs_found_in_later_dev_rounds(engine: AnswerEngine, text: str, sign: str, level: str) -> None:
    reply = engine.answer(text)
    assert (reply.kind, reply.flag, reply.level) == ("urgent", sign, level)


def test_on_top_of_a_worry_is_still_no_sign_of_the_upper_back(engine: AnswerEngine) -> None:
    # "On top of my back spasm" must not read as "top of my back" (pain between the shoulder blades).
    assert engine.answer("got toothache on top of my back spasm this week").kind != "urgent"
    assert engine.answer("on top of that my back spasm is back").kind != "urgent"


@pytest.mark.parametrize(
    "text",
    [
        # A slip or trip that may have ended on the person's feet is no fall: the fall question is
        # asked when a fall is said ("fell", "landed on", "took a tumble"; see the test above). A
        # fall down stairs or from a height is matched by itself, and an older person's slip is a
        # fracture risk (NICE CKS).
        "tripped on a paving slab but stayed on my feet, back's been tight since, should I stretch?",
        "lost my footing on the wet grass, didn't fall, now my back is tight, heat or ice?",
        "slipped on the bathroom tiles but grabbed the towel rail, now my back twinges, ice or heat?",
        "tripped on a step and my back is in spasm, should I rest?",
        # Bowls the game (not "my bowls", the bowels), muscle tissue (not a tissue to wipe with), an
        # old chap (a man, not his penis), golf balls, Scots "wee" (small): no bladder question.
        "is my bowling action what keeps setting my back spasms off?",
        "back to my bowls club next week after a spasm, any tips?",
        "can a spasm damage the muscle tissue in my back?",
        "best stretches for an old chap like me with a stiff back?",
        "hit a bucket of golf balls and now my back is in spasm, too much twisting?",
        "wee question, what exercise helps stop back spasms?",
        # From the review of the session's first rules: a ranking, money, a terrace that is no height.
        "what is the number 1 stretch for back spasm",
        "my wallet is slimmer after all these physio sessions for my back",
        "dropped my coffee on the terrace bending down and my back went",
    ],
)
def test_everyday_words_near_a_sign_get_their_answer_not_a_safety_question(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind == "answer"


def test_going_down_hard_in_a_game_is_asked_about(engine: AnswerEngine) -> None:
    reply = engine.answer("went down hard playing netball, back spasming now")
    assert (reply.kind, reply.check) == ("check", "check-injury")


@pytest.mark.parametrize(
    "text",
    [
        "fell at the bus stop yesterday, could that cause spasms?",  # a bus stop is no bus
        "long story short, I tripped in the garden and now my back spasms",  # a story is no storey
        "my back caught while I was tying my shoes and now I can't straighten up",  # the bend, not foot drop
        "my back caught as I was tying my shoe, toes fine, what now?",
    ],
)
def test_words_that_only_look_like_a_sign_get_no_urgent_reply(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind != "urgent"


@pytest.mark.parametrize("text", ["I have hay fever and a back spasm, what can I take?", "my hay fever is bad this week and my back spasm is easing"])
def test_hay_fever_is_no_fever_and_no_sign_by_itself(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind not in ("urgent", "check")


def test_what_landed_on_the_writer_is_the_writers_accident_not_the_other_persons(engine: AnswerEngine) -> None:
    # "Two lads landed on top of ME": the writer's injury, though the lads are named in the sign.
    reply = engine.answer("huge hit at rugby, two lads landed on top of me, my back's been in spasm since")
    assert (reply.kind, reply.flag) == ("urgent", "serious-injury")
    # ... but "Nan had a fall and rang me" is still Nan's fall: "me" is who she rang.
    for text in ("nan had a fall and rang me, my back is sore from lifting her", "my back is sore, nan had a fall in front of me",
                 "nan had a fall and landed on me, my back is sore"):
        assert engine.answer(text).kind != "urgent", text


@pytest.mark.parametrize(
    "text",
    [
        "struggling to sleep in the bedroom because of my back spasm",
        "getting downstairs is hard, im not standing up straight",
        "I rub cream down both legs after my back stretches",
        "my toddler rolled on top of me in bed and my back twinged",
        "is it ok to use a heat pad on it whether im sitting or lying down?",
        "my hayfever is bad every time I go outside and my back spasm is too",
        "the curtain rings are loose and my back aches",
        "they gave me fluids intravenously in hospital and my back aches from the bed",
        "I ran into problems lifting the sofa, now I'm flat out on the floor with a back spasm",
        "I nearly went flying down the stairs but grabbed the rail, back twinged",
    ],
)
def test_the_fourteenth_sessions_wordings_do_not_alarm_on_ordinary_messages(engine: AnswerEngine, text: str) -> None:
    # A review of this session's new patterns found each of these alarmed; each pattern now needs
    # the word that makes it the sign (a pain word, a heavy thing, a sneeze, whose ring ...).
    assert engine.answer(text).kind != "urgent", text


@pytest.mark.parametrize(
    "text",
    [
        "moved a wardrobe on sunday and woke up in agony on monday, why does it hurt more the day after?",
        "did the garden yesterday and woke up in agony, is it normal to be worse the next morning",
    ],
)
def test_waking_up_sore_the_morning_after_is_pain_hours_later_not_night_pain(engine: AnswerEngine, text: str) -> None:
    # "Woke up in agony" is pain found on waking, the ordinary stiffness after a heavy day; pain
    # that wakes the person ("the pain wakes me up") is the night sign, and still is.
    reply = engine.answer(text)
    assert (reply.kind, reply.topics[0]) == ("answer", "pain-hours-later")
    sign = engine.answer("the pain wakes me up at night, back spasm for a week")
    assert (sign.kind, sign.flag) == ("urgent", "constant-night")


@pytest.mark.parametrize("text", ["could this hard lump by my spine just be a spasm?", "is this hard lump in my back a spasm or something worse"])
def test_a_lump_asked_about_as_a_spasm_gets_the_lump_question_not_an_alarm(engine: AnswerEngine, text: str) -> None:
    # A knotted muscle feels like a lump; a new lump on the spine is a same-day sign. Asking tells
    # them apart: Yes gives the same-day reply, No the answer about spasms.
    reply = engine.answer(text)
    assert (reply.kind, reply.check, reply.flag) == ("check", "check-lump", "lump-shape")
    assert reply.then is not None and reply.then.kind == "answer"


def test_how_a_spasm_feels_asked_in_general_is_answered(engine: AnswerEngine) -> None:
    reply = engine.answer("can a spasm feel like a hard lump?")
    assert (reply.kind, reply.topics[0]) == ("answer", "spasm-signs")


def test_the_backbone_is_the_back(engine: AnswerEngine) -> None:
    # A sure lump with no back named gets the lump question (check-lump) since this session; on the
    # backbone it is the back, so the sign itself. Fails with "backbone" taken out of the lexicon.
    reply = engine.answer("found a hard bump on my backbone")
    assert (reply.kind, reply.flag) == ("urgent", "lump-shape")


@pytest.mark.parametrize("text", ["are there toilet aids for people with a bad back", "any aids for putting socks on with a back spasm?"])
def test_aids_that_help_are_not_the_illness(engine: AnswerEngine, text: str) -> None:
    assert engine.answer(text).kind != "urgent", text
    # AIDS the illness still is a weak immune system, however long it has been had.
    for sign in ("my brother has AIDS and now bad back pain", "I've had AIDS for 12 years and now my back has gone into spasm"):
        reply = engine.answer(sign)
        assert (reply.kind, reply.flag) == ("urgent", "infection-risk"), sign


def test_a_sure_lump_with_no_back_named_keeps_its_urgent_reply(engine: AnswerEngine) -> None:
    # check-lump is area_only: it is asked where a lump is in doubt, never in place of a sure one
    # (without area_only this message got the question instead).
    reply = engine.answer("found a new lump the size of a grape")
    assert (reply.kind, reply.flag, reply.level) == ("urgent", "lump-shape", "same_day")


@pytest.mark.parametrize(
    "text",
    ["the spasm feels like a hard lump in the muscle, how do I loosen it?", "I've got a hard ball in my lower back muscle that won't release, foam roller?",
     "does creatine and muscle growth help prevent back spasms?"],
)
def test_a_knotted_muscle_is_not_asked_the_lump_question(engine: AnswerEngine, text: str) -> None:
    # The lump question is for a lump or swelling ON THE BACK; a muscle that feels like one is a spasm.
    assert engine.answer(text).kind == "answer", text
