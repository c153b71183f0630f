"""Normalisation: folding, clauses, the stemmer, typo fixing, phrases and the lexicon file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.content import DEFAULT_CONTENT_DIR, ContentError
from bot.core.text import (
    Normaliser,
    PhraseIndex,
    TypoFixer,
    edit_distance,
    fold,
    is_contrast,
    load_lexicon,
    phrase_stems,
    plausible_swap,
    question_clauses,
    sound_key,
    stem,
    words,
)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("My BACK’s killing me", "my backs killing me"),
        ("can\u2019t pee", "cant pee"),
        ("I\u2018m “fine”", 'im "fine"'),
        ("go to A&E", "go to ae"),
        ("café spasm", "cafe spasm"),
        ("ＦＵＬＬ width", "full width"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_a_face_of_pain_reads_as_hurts_and_a_thermometer_face_as_fever() -> None:
    assert [w for w, _ in words("middle of my back 😣 and 🤒")] == ["middle", "of", "my", "back", "hurts", "and", "fever"]
    assert [w for w, _ in words("back 👍")] == ["back"]


def test_words_drop_punctuation_and_emoji_and_number_clauses() -> None:
    got = words("Ouch!! 🙃 no fever, but my back… hurts (a lot)")
    assert [w for w, _ in got] == ["ouch", "no", "fever", "my", "back", "hurts", "a", "lot"]
    clauses = dict(got)
    assert clauses["no"] == clauses["fever"]
    assert clauses["fever"] != clauses["back"]  # "but" and the comma start a new clause


def test_a_clause_after_but_is_marked_and_question_clauses_number_alike() -> None:
    got = words("probably just a knot, but there's a lump? and it hurts, however I rest")
    clauses = dict(got)
    assert not is_contrast(clauses["knot"]) and is_contrast(clauses["lump"])
    assert not is_contrast(clauses["hurts"]) and is_contrast(clauses["rest"])
    assert question_clauses("probably just a knot, but there's a lump? and it hurts") == {clauses["lump"]}


def test_words_limit() -> None:
    assert len(words("one two three four five", limit=3)) == 3
    assert words("") == [] and words("🙂🙂🙂") == []


# Forms that must meet: the engine relies on them meeting, not on the exact stem.
SAME_STEM = [
    ("spasm", "spasms", "spasming", "spasmed"),
    ("cramp", "cramps", "cramping", "cramped"),
    ("injury", "injuries", "injured"),
    ("lift", "lifting", "lifted", "lifts"),
    ("stretch", "stretches", "stretching", "stretched"),
    ("muscle", "muscles"),
    ("move", "moving", "moved", "movement"),
    ("care", "careful", "carefully", "caring"),
    ("weak", "weakness"),
    ("tight", "tightness", "tighten", "tightening"),
    ("pain", "painful", "pains"),
    ("sit", "sitting", "sits", "sat"),
    ("tingle", "tingling", "tingly"),
    ("numb", "numbness"),
    ("lose", "losing", "lost", "loss"),
    ("tired", "tire"),
    ("seize", "seized"),
    ("knot", "knots", "knotted"),
    ("exercise", "exercising", "exercises"),
    ("posture", "postures"),
    ("strength", "strengthen", "strengthening"),
    ("fall", "fell", "falling", "fallen"),
    ("tense", "tension"),
    ("prevent", "prevention"),
    ("inflamed", "inflammation"),
    ("pee", "peeing", "peed"),
    ("leg", "legs"),
    ("foot", "feet"),
]


@pytest.mark.parametrize("forms", SAME_STEM, ids=lambda f: f[0])
def test_stem_conflates_forms(forms: tuple[str, ...]) -> None:
    assert len({stem(f) for f in forms}) == 1, {f: stem(f) for f in forms}


# Words that must stay apart, or the engine mixes up topics.
DIFFERENT_STEM = [("car", "carry"), ("car", "care"), ("need", "ne"), ("bed", "be"), ("back", "bake"), ("sore", "sort")]


@pytest.mark.parametrize(("a", "b"), DIFFERENT_STEM)
def test_stem_keeps_words_apart(a: str, b: str) -> None:
    assert stem(a) != stem(b)


def test_stem_leaves_short_words_and_numbers() -> None:
    assert stem("bed") == "bed"
    assert stem("999") == "999"
    assert stem("its") == "it"


@pytest.mark.parametrize(
    ("a", "b", "dist"),
    [("back", "back", 0), ("bakc", "back", 1), ("spazm", "spasm", 1), ("musle", "muscle", 1), ("bck", "back", 1), ("abcd", "dcba", 3)],
)
def test_edit_distance(a: str, b: str, dist: int) -> None:
    assert edit_distance(a, b, limit=2) == min(dist, 3)


VOCAB = {"back": 50, "spasm": 30, "muscle": 20, "stretching": 5, "posture": 8, "bladder": 3, "lower": 9, "rarely": 2, "lock": 4}


@pytest.mark.parametrize(
    ("typed", "fixed"),
    [
        ("bakc", "back"),  # swapped letters
        ("bac", "back"),  # three letters: only towards short targets
        ("musle", "muscle"),  # a dropped letter
        ("strecthing", "stretching"),  # two edits in a long word
        ("postrue", "posture"),
        ("bladdr", "bladder"),
        ("back", "back"),  # known words stay
        ("spasms", "spasms"),  # known through its stem
        ("barely", "barely"),  # not "rarely": first letters differ
        ("rock", "rock"),  # not "lock"
        ("xyzzy", "xyzzy"),  # nothing near: unchanged
        ("sp", "sp"),  # too short to fix
        ("b" * 40, "b" * 40),  # absurdly long words are left alone
    ],
)
def test_typo_fixer(typed: str, fixed: str) -> None:
    fixer = TypoFixer(VOCAB, short_targets={"back"})
    assert fixer.fix(typed) == fixed


@pytest.mark.parametrize(
    ("a", "b", "plausible"),
    [("z", "s", True), ("i", "u", True), ("k", "c", True), ("n", "m", True), ("b", "y", False), ("r", "l", False)],
)
def test_plausible_swap(a: str, b: str, plausible: bool) -> None:
    assert plausible_swap(a, b) is plausible


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("erecshun", "erection"), ("bowles", "bowels"), ("incontinance", "incontinence"), ("kancer", "cancer"),
     ("temprature", "temperature"), ("numbnes", "numbness")],
)
def test_words_spelt_by_ear_share_the_sound_key_of_the_word_meant(typed: str, meant: str) -> None:
    assert sound_key(typed) == sound_key(meant)


@pytest.mark.parametrize(("a", "b"), [("chesty", "chest"), ("tingle", "single"), ("bladder", "ladder")])
def test_different_words_keep_different_sound_keys(a: str, b: str) -> None:
    assert sound_key(a) != sound_key(b)


def test_one_wrong_letter_must_be_a_plausible_slip() -> None:
    fixer = TypoFixer({"gray": 5, "spasm": 5, "back": 5})
    assert fixer.fix("spazm") == "spasm"  # z is next to s
    assert fixer.fix("grab") == "grab"  # b is nowhere near y: a different word
    assert fixer.fix("bank") == "bank"  # n is not next to c


def test_a_dropped_g_gets_its_g_back_when_that_is_a_word() -> None:
    fixer = TypoFixer({"lift": 5, "in": 9, "back": 5}, real_words={"being", "sweating", "lifting"})
    assert fixer.fix("liftin") == "lifting"  # not "lift in" by edit distance
    assert fixer.fix("bein") == "being"
    assert fixer.fix("sweatin") == "sweating"
    assert fixer.fix("zorbin") == "zorbin"  # no such -ing word: left for the usual fixing


def test_text_speak_for_back_why_and_doctor() -> None:
    tokens = Normaliser(TypoFixer(VOCAB, short_targets={"back"})).tokens("y is my bk worse, see a doc")
    assert [t.stem for t in tokens][:4] == ["why", "is", "my", "back"] and tokens[-1].stem == stem("doctor")


def test_typo_fixer_prefers_the_commoner_word() -> None:
    fixer = TypoFixer({"ache": 10, "acne": 1})
    assert fixer.fix("acje") == "ache"


def test_typo_fixer_cheap_mode_allows_one_edit_only() -> None:
    fixer = TypoFixer(VOCAB)
    assert fixer.fix("strechng", cheap=True) == "strechng"
    assert fixer.fix("strechng") == "stretching"
    assert fixer.fix("musle", cheap=True) == "muscle"


def test_normaliser_marks_fixed_words() -> None:
    tokens = Normaliser(TypoFixer(VOCAB, short_targets={"back"})).tokens("my bakc spasms")
    assert [(t.word, t.stem, t.typed) for t in tokens] == [
        ("my", "my", ""),
        ("back", "back", "bakc"),
        ("spasms", "spasm", ""),
    ]


def test_stems_are_the_stems_of_the_tokens_past_the_careful_words_too() -> None:
    # The engine reads its example messages with stems(); a message reads with tokens().
    normaliser = Normaliser(TypoFixer(VOCAB, short_targets={"back"}))
    text = "my bakc spasms, strechtng hurts. " * 60  # 240 words: past the 150 careful ones
    assert normaliser.stems(text) == [t.stem for t in normaliser.tokens(text)]
    assert normaliser.stems(text)[3] != normaliser.stems(text)[-2]  # two edits fixed only while careful


def test_phrase_index_finds_a_wildcard_then_a_word_only_where_the_word_follows() -> None:
    index = PhraseIndex([(("*", "later"), "later"), (("*", "*", "week"), "weeks")])
    assert [(start, x) for start, _, x in index.find_all(["pain", "came", "later"])] == [(1, "later")]
    assert [(start, x) for start, _, x in index.find_all(["for", "a", "whole", "week"])] == [(1, "weeks")]
    assert index.find_all(["later", "on"]) == []


def test_phrase_index_wildcards_and_rewrite() -> None:
    index = PhraseIndex(
        [
            (phrase_stems("put * back out"), ("spasm",)),
            (("#", "week"), ("weeks",)),
            (phrase_stems("back garden"), ("garden",)),
        ]
    )
    stems = phrase_stems("I put my back out in the back garden for 6 weeks")
    assert index.rewrite(stems) == ["i", "spasm", "in", "the", "garden", "for", "weeks"]
    assert [start for start, _, _ in index.find_all(phrase_stems("three weeks or a week"))] == [0]


# --- the real lexicon file ---------------------------------------------------------------------


def test_real_lexicon_loads() -> None:
    lex = load_lexicon()
    assert "spasm" in lex.groups[stem("cramp")]
    assert "sport" in lex.groups[stem("rugby")]
    assert stem("the") in lex.stopwords
    assert ("back",) in lex.anchors
    assert all(lex.smalltalk[level] for level in ("greeting", "thanks", "help", "goodbye"))


def _lexicon_copy(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "lexicon.toml"
    shutil.copy(DEFAULT_CONTENT_DIR / "lexicon.toml", path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_lexicon_error_names_file_and_field(tmp_path: Path) -> None:
    path = _lexicon_copy(tmp_path, 'name = "spasm"', 'name = "spasm"\nwordz = ["x"]')
    with pytest.raises(ContentError) as err:
        load_lexicon(path)
    assert any(p.startswith("lexicon.toml: group[") and "wordz" in p for p in err.value.problems)


def test_lexicon_rejects_words_without_letters(tmp_path: Path) -> None:
    path = _lexicon_copy(tmp_path, 'name = "spasm"\nwords = [', 'name = "spasm"\nwords = ["?!", ')
    with pytest.raises(ContentError) as err:
        load_lexicon(path)
    assert any("lexicon.toml: group[" in p and ".words" in p and "'?!'" in p for p in err.value.problems)


def test_lexicon_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="lexicon.toml: file is missing"):
        load_lexicon(tmp_path / "lexicon.toml")
    (tmp_path / "lexicon.toml").write_text("stopwords = [", encoding="utf-8")
    with pytest.raises(ContentError, match="lexicon.toml: not valid TOML"):
        load_lexicon(tmp_path / "lexicon.toml")


def test_plus_and_ampersand_join_words_like_and() -> None:
    from bot.core.text import fold

    assert fold("ice & heat").split() == ["ice", "and", "heat"]
    assert fold("lift safely + should I wear a belt").split() == "lift safely and should i wear a belt".split()
    assert fold("pins+needles").split() == ["pins", "and", "needles"]
