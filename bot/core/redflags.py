"""Red-flag scanner: finds emergency and same-day warning signs in a typed message.

Everything it knows is in content/redflags.toml. A flag is a set of patterns; a pattern is a list
of word groups that must all occur within a window of tokens, anywhere in the WHOLE message (a
sign buried at the end of a long story still counts). Groups draw on shared concepts ("@toilet",
"@numb"), so one new way of saying a thing helps every pattern that uses it.

Three outcomes, most urgent first:
- a sure hit: the urgent reply;
- an emergency match in doubt (denied: "no chest pain", or an `unless` word nearby: "tore a
  MUSCLE"): never dropped, the flag's safety question is asked instead;
- an area touched ("the loo", "numb", "a fall"): that area's safety question ([[check]]).

Matching is typo-tolerant on the flag vocabulary itself: a word one edit away from a flag word
(two for long words) also counts as that word, whatever the general typo fixer made of it, so
"bowles", "controll" and "numbnes" are read as written. Cost stays linear in message length.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.core.content import DEFAULT_CONTENT_DIR, StrictModel, load_one
from bot.core.text import (
    WILDCARD,
    PhraseIndex,
    Token,
    edit_distance,
    fold,
    is_contrast,
    plausible_swap,
    sound_key,
    stem,
)

LEVELS = ("emergency", "same_day")  # most urgent first
SHORT_TYPO = 4  # typo fixes of words this short are not trusted by same-day flags
NEGATION_REACH = 6  # how many words back a denial ("no", "not") can reach, within one clause
NEAR_NEGATION_REACH = 2  # "nearly", "almost" deny only the word or two after them
INSIDE_REACH = 3  # a denial between the matched words reaches only this far
PERSON_WORDS = frozenset({"i", "me", "myself", "my", "we"})  # the writer, after an animal (stems: "im" is "i")
THIRD_PERSON = frozenset({"he", "she", "her", "him", "his", "they", "them", "their"})  # ... or another person
ACTED_ON = frozenset({"me", "him", "us"})  # objects only: "her" and "them" may own what follows
# The animals of `not_human` big enough to injure a person ("the horse threw me"; not "the cat woke me")
# and what they do; stems, so "threw", "thrown" and "throw" are one.
BIG_ANIMALS = frozenset(stem(w) for w in ("horse", "pony", "cow"))
HURTS_PERSON = frozenset(stem(w) for w in (
    "throw", "pin", "knock", "kick", "trample", "crush", "squash", "buck", "ram", "charge", "flung", "drag",
    "toss", "floor", "flatten", "land", "fall", "roll", "stand", "came", "come",
))
AGE_WORDS = frozenset({"year", "yrs", "yr", "old", "aged", "month", "week"})  # stems of "6 years old", "aged 80"
ANIMAL_PARTS = frozenset({("back", "leg"), ("hind", "leg"), ("front", "leg"), ("his", "paw"), ("her", "paw"), ("it", "paw")})
AFTER_EXEMPT = frozenset({"eat", "eating", "appetit"})  # words whose "fine" after them is about themselves
PAIN_WORDS = frozenset({"back", "pain", "painful", "sore", "hurt", "hurts", "hurting", "ache", "aches", "aching", "agony", "spasm", "spasms", "spasming"})
SUBJECT_OPENERS = frozenset({"my", "the", "our", "a", "an", "and", "so", "but", "me"})  # before a clause's subject
LINK_WORDS = frozenset({"is", "s", "was", "are", "were", "seems", "seemed", "totally", "completely", "perfectly"})  # "the baby's (totally) fine"
WELL_WORDS = frozenset({("fine",), ("ok",), ("okay",), ("alright",), ("all", "right")})  # see _fine_but
SIMILE_ARTICLES = frozenset({"a", "an"})  # "like A car alarm" ("like THE muscle bulging" gives an example)
NEWS_REACH = 10  # "never ... before ... now": how far apart the three may be
NEWS_NOW = frozenset({"now", "today", "tonight", "new", "suddenly", "since", "started", "this"})
BEFORE_GAP = 1  # words allowed between an `unless_before` phrase and the sign ("like I've JUST been")
AFTER_REACH = 4  # link words allowed between a sign and its denial after it ("legs ARE fine")
FUZZY_MIN = 5  # flag words shorter than this are matched exactly (too many near neighbours)
SOUND_KEY_MIN = 4  # a shorter sound key ("ths") is shared by too many words
SOUND_TYPED_MIN = 6  # shorter unknown words are often slang ("artic" lorry), not a misheard sign
FUZZY_MIN_SAME_DAY = 6  # same-day flags trust a near miss only on longer words
FUZZY_MAX = 20
CONCEPT_MARK = "@"

Pattern = tuple[tuple["Choice", ...], ...]  # groups -> choices


def _choice(text: str) -> tuple[bool, tuple[str, ...]]:
    """'=legs' -> exact word; 'pins and needles' -> stems; '*' stays a wildcard."""
    exact = text.startswith("=")
    found = re.findall(r"\*|[a-z0-9]+", fold(text.lstrip("=")))
    return exact, tuple(w if (exact or w == WILDCARD) else stem(w) for w in found)


def _phrase(text: str) -> tuple[str, ...]:
    return _choice(text)[1]


class FlagModel(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    level: Literal["emergency", "same_day"]
    about: str = Field(min_length=1)
    source: str = Field(min_length=1)
    check: str = ""  # the safety question asked when an emergency match is in doubt
    window: int = Field(default=6, ge=1, le=30)
    negatable: bool = False
    back_only: bool = False  # see redflags.toml: a sign of back pain, not of a calf or a knee
    back_named: bool = False  # ... and only when the message names the back (see redflags.toml)
    unless: tuple[str, ...] = ()
    unless_anywhere: tuple[str, ...] = ()  # said anywhere in the message, these put a match in doubt
    unless_before: tuple[str, ...] = ()  # ... said right before the sign ("like I've been | run over")
    patterns: tuple[tuple[str, ...], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _emergency_rules(self) -> "FlagModel":
        if self.level == "emergency":
            if self.back_only:
                raise ValueError("an emergency flag must not be back_only: chest pain is an emergency wherever it is")
            if self.negatable:
                raise ValueError("an emergency flag must not be negatable: when in doubt, ask its check")
            if not self.check:
                raise ValueError("an emergency flag needs a `check`: a match in doubt asks it, never drops it")
        if self.back_named and not self.back_only:
            raise ValueError("back_named needs back_only: it narrows which messages a back-only sign counts in")
        return self


class CheckModel(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    level: Literal["emergency", "same_day"]
    flag: str = Field(min_length=1)  # the flag a Yes stands for
    question: str = Field(min_length=10, max_length=400)
    needs_body: bool = True
    window: int = Field(default=0, ge=0, le=30)  # 0: the window of the flag it stands for
    unless: tuple[str, ...] = ()
    # Asked only where a message touches the area, never in place of its sign when a sure match is
    # in doubt (a sign said with no back named keeps its urgent reply, as before the question).
    area_only: bool = False
    # Topics whose answer already names this sign and what to do about it ("after a serious fall or
    # crash, call 999"): a general question answered by one of them is not asked the question first.
    answered_by: tuple[str, ...] = ()
    # Said instead of the question when the message names no back and asks none of our questions
    # ("how long does flu last"): the sign alone is not ours, but it is with back pain.
    without_back: str = Field(default="", max_length=400)
    patterns: tuple[tuple[str, ...], ...] = Field(min_length=1)


class RedFlagFile(StrictModel):
    negations: tuple[str, ...] = Field(min_length=1)
    near_negations: tuple[str, ...] = ()
    hedges: tuple[str, ...] = ()
    near_hedges: tuple[str, ...] = ()
    double_negatives: tuple[str, ...] = ()
    after_denials: tuple[str, ...] = ()
    after_links: tuple[str, ...] = ()
    doubt_anywhere: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    own_back: tuple[str, ...] = ()
    own_injury: tuple[str, ...] = ()
    their_body: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    skip_words: tuple[str, ...] = ()
    light_words: tuple[str, ...] = ()
    rewrites: dict[str, str] = {}
    not_human: tuple[str, ...] = ()
    subject_breaks: tuple[str, ...] = ()
    concepts: dict[str, tuple[str, ...]] = {}
    flag: tuple[FlagModel, ...] = Field(min_length=1)
    check: tuple[CheckModel, ...] = ()

    @field_validator("concepts")
    @classmethod
    def _concepts_ok(cls, concepts: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name, choices in concepts.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                raise ValueError(f"concept name '{name}': use lower-case letters, digits and _")
            for choice in choices:
                _check_choice(choice, choice, set())
        return concepts

    @model_validator(mode="after")
    def _cross_checks(self) -> "RedFlagFile":
        problems = []
        ids = [f.id for f in self.flag]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            problems.append(f"flag ids used twice: {', '.join(dupes)}")
        checks = {c.id: c for c in self.check}
        if len(checks) != len(self.check):
            problems.append("check ids used twice")
        for f in self.flag:
            for group in (g for p in f.patterns for g in p):
                problems += _group_problems(f"flag[{f.id}]", group, self.concepts)
            if f.check and f.check not in checks:
                problems.append(f"flag[{f.id}].check: unknown check '{f.check}'")
            elif f.check and checks[f.check].level != f.level:
                problems.append(f"flag[{f.id}].check: '{f.check}' is at another level")
        for c in self.check:
            for group in (g for p in c.patterns for g in p):
                problems += _group_problems(f"check[{c.id}]", group, self.concepts)
            if c.flag not in ids:
                problems.append(f"check[{c.id}].flag: unknown flag '{c.flag}'")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _check_choice(choice: str, group: str, concepts: set[str] | None) -> None:
    if choice.startswith(CONCEPT_MARK):
        if concepts is not None and choice[1:] not in concepts:
            raise ValueError(f"unknown concept '{choice}' in \"{group}\"")
        return
    exact, words = _choice(choice)
    if not words or all(w == WILDCARD for w in words):
        raise ValueError(f"'{choice}' in \"{group}\" has no word")
    if exact and len(words) != 1:
        raise ValueError(f"'{choice}': an exact (=) choice must be one word")


def _group_problems(where: str, group: str, concepts: dict[str, tuple[str, ...]]) -> list[str]:
    if _WINDOW.fullmatch(group):
        return []
    out = []
    for choice in group.split("|"):
        try:
            _check_choice(choice, group, set(concepts))
        except ValueError as exc:
            out.append(f"{where}.patterns: {exc}")
    return out


@dataclass(frozen=True)
class Choice:
    words: tuple[str, ...]
    exact: bool  # match the folded word, not its stem
    raw: tuple[str, ...] = ()  # the folded words as written, for typo matching
    window: int = 0  # set only on the marker group of a pattern with its own window
    ordered: bool = False  # ... and "~5>": its groups must come in the order written


@dataclass(frozen=True)
class Flag:
    id: str
    level: str
    about: str
    source: str
    window: int
    negatable: bool
    patterns: tuple[Pattern, ...]
    unless: tuple[tuple[str, ...], ...] = ()
    check: str = ""
    back_only: bool = False
    unless_anywhere: tuple[tuple[str, ...], ...] = ()
    back_named: bool = False
    unless_before: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Check:
    id: str
    level: str
    flag: str
    question: str
    needs_body: bool
    patterns: tuple[Pattern, ...]
    unless: tuple[tuple[str, ...], ...] = ()
    window: int = 6
    area_only: bool = False
    answered_by: tuple[str, ...] = ()
    without_back: str = ""


@dataclass(frozen=True)
class FlagHit:
    flag: str
    level: str


@dataclass(frozen=True)
class Finding:
    """What the scanner made of a message (at most one of `hit` and `check` decides)."""

    hit: FlagHit | None = None  # a sure warning sign: the urgent reply
    check: Check | None = None  # a safety question to ask first
    in_doubt: bool = False  # the check comes from an emergency match in doubt, not an area


FIRST_PERSON = frozenset({"i", "me", "myself", "we", "us"})
ONTO = frozenset({"onto", "into"})  # stems: what landed on the writer ("into me") ...
ON_TOP_OF = ("on", "top", "of")  # ... or "on top of me"
RAW_KEY = "="  # RedFlags._keyed: an exact word's key, apart from the stems
HAVING = frozenset({"has", "have", "had", "get", "was", "is", "been", "suffer", "suffers", "with", "on"})
# "Has" before one of these is the other person seeing or saying, not having: "my wife HAS NOTICED a
# swelling on my lower back" is the writer's swelling.
REPORTING = frozenset(stem(w) for w in ("noticed", "spotted", "seen", "saw", "found", "said", "told", "pointed", "mentioned", "felt", "thought", "reckons"))
WRITER_WORDS = PERSON_WORDS | FIRST_PERSON | {"mine", "our"}  # the writer, as subject or owner


class _Index:
    """Where each stem (and the flag words it might be a typo of) and each exact word sits."""

    carer = False  # the message is about the writer's own back, not someone else's
    candidates: set[int] | None = None  # RedFlags._candidates, worked out once per message

    def __init__(self, tokens: list[Token], fuzzy: "_Fuzzy | None", fuzzy_min: int, light: frozenset[str] = frozenset()):
        self.tokens = tokens
        # A window is measured in content words: "heavy pressure in the middle of my chest" is as
        # close as "heavy pressure, middle, chest". pos[i] = content words before token i.
        self.pos: list[int] = []
        n = 0
        for t in tokens:
            self.pos.append(n)
            n += t.stem not in light
        self.pos.append(n)
        self.stems: list[frozenset[str]] = []
        self.by_stem: dict[str, list[int]] = {}
        self.by_raw: dict[str, list[int]] = {}
        for i, t in enumerate(tokens):
            alts = {t.stem} if t.stem else set()
            if t.typed and t.stem:
                alts.add(stem(t.typed))  # what was typed counts too ("slimming", fixed to "swimming")
            if t.stem and fuzzy is not None:
                alts |= fuzzy.near(t.typed or t.word, fuzzy_min)
                if t.typed:
                    alts |= fuzzy.near(t.word, fuzzy_min)
            self.stems.append(frozenset(alts))
            for s in alts:
                self.by_stem.setdefault(s, []).append(i)
            if t.stem:
                self.by_raw.setdefault(t.word, []).append(i)

    def has(self, choice: Choice) -> bool:
        first = choice.words[0]
        return first == WILDCARD or first in (self.by_raw if choice.exact else self.by_stem)

    def spans(self, choice: Choice) -> list[tuple[int, int]]:
        """(start, end-exclusive) of every place `choice` occurs."""
        first = choice.words[0]
        if first == WILDCARD:
            return []
        starts = (self.by_raw if choice.exact else self.by_stem).get(first, ())
        n = len(choice.words)
        # A phrase is read within one clause: "when I wake, but by the afternoon" is not "woken by".
        tokens = self.tokens
        return [(s, s + n) for s in starts
                if self.phrase_at(choice.words, s, skip_first=True) and tokens[s].clause == tokens[s + n - 1].clause]

    def phrase_at(self, phrase: tuple[str, ...], start: int, skip_first: bool = False) -> bool:
        """Does `phrase` (stems, * for any word) occur at `start`?"""
        if start + len(phrase) > len(self.stems):
            return False
        return all(w == WILDCARD or w in self.stems[start + k] for k, w in enumerate(phrase) if k or not skip_first)


class _Fuzzy:
    """The flag vocabulary, for "is this typed word a slip for a flag word?" (symmetric deletes)."""

    def __init__(self, vocabulary: set[str]):
        self._known = vocabulary
        self._index: dict[str, set[str]] = {}
        for word in vocabulary:
            if len(word) >= FUZZY_MIN and word.isalpha():
                for key in _deletes1(word):
                    self._index.setdefault(key, set()).add(word)
        # Flag words by how they sound, for slips of the ear more than one letter away.
        self._by_sound: dict[str, set[str]] = {}
        for word in vocabulary:
            if len(word) >= FUZZY_MIN and word.isalpha() and len(key := sound_key(word)) >= SOUND_KEY_MIN:
                self._by_sound.setdefault(key, set()).add(word)
        self._cache: dict[tuple[str, int], frozenset[str]] = {}
        self._real: frozenset[str] = frozenset()
        self._english: AbstractSet[str] = frozenset()

    def not_typos(self, words: set[str], english: AbstractSet[str] = frozenset()) -> None:
        """Words the rest of the bot knows ("trapped", "motion") are meant as typed, not slips.
        An English word ("moaning", "punch") is never read as a word that sounds like it."""
        self._real = frozenset(words) - self._known
        self._english = english
        self._cache.clear()

    def near(self, word: str, min_len: int) -> frozenset[str]:
        """Stems of flag words within one edit (two for words of 10+ letters) of `word`."""
        key = (word, min_len)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        found: set[str] = set()
        # Past 20 letters a word is no typo of a symptom (and its deletes would cost too much).
        # An English word is meant as typed ("socks" is not "shocks", "fizzy" not "fuzzy").
        if (
            min_len <= len(word) <= FUZZY_MAX and word.isalpha() and word not in self._known
            and word not in self._real and word not in self._english
        ):
            limit = 2 if len(word) >= 10 else 1
            candidates: set[str] = set()
            for k in _deletes1(word):
                candidates |= self._index.get(k, set())
            if limit == 2:  # a second slip in a long word: one more delete on each side
                for k in _deletes1(word):
                    for k2 in _deletes1(k):
                        candidates |= self._index.get(k2, set())
            for cand in candidates:
                if cand[0] != word[0] or len(cand) < min_len or edit_distance(word, cand, limit) > limit:
                    continue
                # One wrong letter must be a slip of the finger or ear ("bulking" is not "bulging").
                diff = [(a, b) for a, b in zip(word, cand, strict=False) if a != b] if len(word) == len(cand) else []
                if len(diff) == 1 and not plausible_swap(*diff[0]):
                    continue
                found.add(stem(cand))
            if len(word) >= SOUND_TYPED_MIN:
                # Same sound, and not too far in letters: "saturdays" is not "steroids".
                reach = (len(word) + 1) // 3
                found |= {
                    stem(w) for w in self._by_sound.get(sound_key(word), ())
                    if len(w) >= min_len and edit_distance(word, w, reach) <= reach
                }
        result = frozenset(found)
        if len(self._cache) < 50_000:
            self._cache[key] = result
        return result


def _deletes1(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class RedFlags:
    def __init__(
        self,
        flags: list[Flag],
        negations: list[tuple[str, ...]],
        hedges: set[str],
        ignore: list[tuple[str, ...]],
        checks: list[Check] | None = None,
        not_human: list[tuple[str, ...]] | None = None,
        subject_breaks: set[str] | None = None,
        near_negations: list[tuple[str, ...]] | None = None,
        skip_words: set[str] | None = None,
        light_words: set[str] | None = None,
        rewrites: list[tuple[tuple[str, ...], tuple[str, ...]]] | None = None,
        near_hedges: set[str] | None = None,
        double_negatives: set[str] | None = None,
        doubt_anywhere: list[tuple[str, ...]] | None = None,
        others: set[str] | None = None,
        own_back: list[tuple[str, ...]] | None = None,
        their_body: list[tuple[str, ...]] | None = None,
        own_injury: list[tuple[str, ...]] | None = None,
        other_words: frozenset[str] = frozenset(),
        after_denials: list[tuple[str, ...]] | None = None,
        after_links: set[str] | None = None,
    ):
        order = {level: i for i, level in enumerate(LEVELS)}
        self.flags = sorted(flags, key=lambda f: order[f.level])
        self.checks = sorted(checks or [], key=lambda c: order[c.level])
        self._index_groups()
        self.check_by_id = {c.id: c for c in self.checks}
        # (words, reach, matched as typed): "nearly" stems to "near", and "up NEAR the top" denies nothing.
        self.negations = [(n, NEGATION_REACH, False) for n in negations if n]
        self.negations += [(n, NEAR_NEGATION_REACH, True) for n in (near_negations or []) if n]
        self.hedges = hedges
        self.near_hedges = near_hedges or set()
        self._double = frozenset(double_negatives or ())
        # Single-word denials, for _denials_in_place.
        self._denial_words = frozenset(n[0] for n in negations if len(n) == 1) | self._double
        self._after_denials = [d for d in (after_denials or []) if d]
        self._after_links = frozenset(after_links or ())
        self._doubt_anywhere = PhraseIndex((p, True) for p in (doubt_anywhere or []) if p)
        self._others = frozenset(others or ())
        self._own_back = PhraseIndex((p, True) for p in (own_back or []) if p)
        self._own_injury = PhraseIndex((p, True) for p in (own_injury or []) if p)
        # "my husband's back", "dad's legs": the message is about their body too.
        theirs = list(their_body or []) + [(o, part) for o in self._others for part in ("back", "leg", "spine", "bladder")]
        self._their_body = PhraseIndex((p, True) for p in theirs if p)
        self._skip = frozenset(skip_words or ())
        self._light = frozenset(light_words or ())
        self._rewrites = PhraseIndex((p, r) for p, r in (rewrites or []) if p)
        self._ignore = PhraseIndex((p, True) for p in ignore if p)
        self._not_human = PhraseIndex((p, True) for p in (not_human or []) if p)
        self._breaks = subject_breaks or set()
        self._fuzzy = _Fuzzy(self.words())
        # The plain words of the file's other lists (denials, exceptions ...), for the typo fixer.
        self.other_words = other_words

    def _index_groups(self) -> None:
        """Every pattern group's choices by first word: _present asks whether any is in the
        message, _pattern_matches looks up only those that are, so a group of 150 words costs only
        the words a message has. Keyed by the group's id: the flags and checks keep the groups
        alive (and a saved copy rebuilds this, see __setstate__)."""
        patterns = [p for f in self.flags for p in f.patterns] + [p for c in self.checks for p in c.patterns]
        self._by_first = {id(group): _choices_by_first(group) for pattern in patterns for group in pattern}
        # Each pattern under the first words of its rarest group: a message's words then name the
        # few patterns worth trying (of about 600, most messages have a few dozen).
        self._keyed: dict[str, set[int]] = {}
        self._unkeyed: set[int] = set()
        for pattern in patterns:
            groups = [self._by_first[id(g)] for g in _pattern_window(pattern, 0)[0]]
            keyed = [(len(by_stem) + len(by_raw), by_stem, by_raw) for wildcard, by_stem, by_raw in groups if not wildcard]
            if not keyed:
                self._unkeyed.add(id(pattern))
                continue
            _, by_stem, by_raw = min(keyed, key=lambda k: k[0])
            for word in [*by_stem, *(RAW_KEY + w for w in by_raw)]:
                self._keyed.setdefault(word, set()).add(id(pattern))

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["_by_first"]  # ids change in a copy
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._index_groups()

    @classmethod
    def from_model(cls, model: RedFlagFile) -> "RedFlags":
        concepts = model.concepts

        skip = {stem(w) for w in model.skip_words}

        def compile_patterns(patterns: tuple[tuple[str, ...], ...]) -> tuple[Pattern, ...]:
            return tuple(
                tuple(
                    (_window_group(group) if _WINDOW.fullmatch(group) else _compile_group(group, concepts, skip))
                    for group in pattern
                )
                for pattern in patterns
            )

        flags = [
            Flag(f.id, f.level, f.about, f.source, f.window, f.negatable, compile_patterns(f.patterns),
                 tuple(_phrase(u) for u in f.unless if _phrase(u)), f.check, f.back_only,
                 tuple(_phrase(u) for u in f.unless_anywhere if _phrase(u)), f.back_named,
                 tuple(_phrase(u) for u in f.unless_before if _phrase(u)))
            for f in model.flag
        ]
        windows = {f.id: f.window for f in model.flag}
        checks = [
            Check(c.id, c.level, c.flag, c.question, c.needs_body, compile_patterns(c.patterns),
                  tuple(_phrase(u) for u in c.unless if _phrase(u)), c.window or windows.get(c.flag, 6), c.area_only,
                  c.answered_by, c.without_back)
            for c in model.check
        ]
        return cls(
            flags,
            negations=[_phrase(n) for n in model.negations],
            hedges={stem(h) for h in model.hedges},
            ignore=[_phrase(p) for p in model.ignore],
            checks=checks,
            not_human=[_phrase(p) for p in model.not_human],
            subject_breaks={stem(w) for w in model.subject_breaks},
            near_negations=[_choice("=" + n)[1] for n in model.near_negations],  # typed words, not stems
            skip_words={stem(w) for w in model.skip_words},
            light_words={stem(w) for w in model.light_words},
            rewrites=[(_phrase(k), _phrase(v)) for k, v in model.rewrites.items()],
            near_hedges={stem(h) for h in model.near_hedges},
            double_negatives={stem(w) for w in model.double_negatives},
            doubt_anywhere=[_phrase(p) for p in model.doubt_anywhere],
            others={stem(w) for w in model.others},
            own_back=[_phrase(p) for p in model.own_back],
            their_body=[_phrase(p) for p in model.their_body],
            own_injury=[_phrase(p) for p in model.own_injury],
            other_words=_plain_words(model),
            after_denials=[_phrase(d) for d in model.after_denials],
            after_links={stem(w) for w in model.after_links},
        )

    def about(self, flag_id: str) -> str | None:
        """The plain-words description of a flag, for "You mentioned: ..."."""
        return next((f.about for f in self.flags if f.id == flag_id), None)

    def names_someone_else(self, tokens: list[Token], pronouns: bool = True) -> bool:
        """Does the message name another person ("my toddler", "her", "dad")? Without `pronouns`,
        only by a word for a person ("she" may be a cat)."""
        return any(t.stem in self._others and (pronouns or t.stem not in THIRD_PERSON) for t in tokens)

    def known_words(self, words: set[str], english: AbstractSet[str] = frozenset()) -> None:
        """Tell the scanner which words are real words elsewhere in the bot's vocabulary, and
        which are English words (never heard as a flag word that sounds like them)."""
        self._fuzzy.not_typos(words, english)

    def words(self) -> set[str]:
        """Every plain word the patterns use, so the typo fixer knows them."""
        out: set[str] = set()
        for item in (*self.flags, *getattr(self, "checks", ())):
            for pattern in item.patterns:
                for group in pattern:
                    for choice in group:
                        out.update(w for w in (choice.raw or choice.words) if w != WILDCARD)
        out.discard("")
        return out

    def stems(self) -> set[str]:
        """Stems of the single-word choices of the flags (the symptom words the scanner owns)."""
        return {c.words[0] for f in self.flags for p in f.patterns for g in p for c in g if len(c.words) == 1 and not c.exact}

    # --- scanning --------------------------------------------------------------------------------

    def scan(self, tokens: list[Token]) -> FlagHit | None:
        """The most urgent sure flag in the message, or None."""
        return self.assess(tokens, with_checks=False).hit

    def scan_all(self, tokens: list[Token]) -> list[FlagHit]:
        """Every sure flag in the message (for tests and the content checker)."""
        full, careful = self._indexes(tokens)
        return [
            FlagHit(f.id, f.level) for f in self.flags
            if self._match(careful if f.negatable else full, f.patterns, f.window, f)[0]
        ]

    def assess(self, tokens: list[Token], with_checks: bool = True) -> Finding:
        """Sure hit first; else an emergency in doubt (its check); else an area's check."""
        full, careful = self._indexes(tokens)
        # "my colleague had cauda equina, MINE IS JUST a twinge": every match is in doubt.
        everything_doubted = bool(self._doubt_anywhere.find_all([t.stem for t in tokens]))
        doubt: Flag | None = None
        for flag in self.flags:  # emergency flags first
            sure, doubted = self._match(careful if flag.negatable else full, flag.patterns, flag.window, flag)
            if everything_doubted:
                sure, doubted = False, doubted or sure
            if sure:
                return Finding(hit=FlagHit(flag.id, flag.level))
            if doubted and flag.level == "emergency" and doubt is None:
                doubt = flag
        if doubt is not None:
            return Finding(check=self.check_by_id[doubt.check], in_doubt=True)
        if with_checks:
            for check in self.checks:
                sure, _ = self._match(full, check.patterns, check.window, check)
                if sure:
                    return Finding(check=check)
        return Finding()

    def _indexes(self, tokens: list[Token]) -> tuple[_Index, _Index]:
        # A word two edits from what the general typo fixer made of it is more likely a real word
        # it doesn't know ("crouching" is not "coughing"): read it as typed; flag words one slip
        # away are still found by the flag vocabulary's own typo matching.
        # A year ("a rear-ender in 2015") reads as one word, YEAR_WORD, that `unless` lists can name.
        tokens = [Token(YEAR_WORD, YEAR_WORD, t.clause) if _YEAR.fullmatch(t.stem) else _as_typed(t) for t in tokens]
        tokens = self._drop_not_human(self._drop_ignored(tokens))
        # Fillers ("really", "actually") go, so "can't really feel" reads as "can't feel".
        tokens = self._rewrite([t for t in tokens if t.stem not in self._skip])
        full = _Index(tokens, self._fuzzy, FUZZY_MIN, self._light)
        # Same-day flags don't trust a fixed typo in a short word ("limp" is not "lump");
        # emergency flags do: a false alarm there is the safe side.
        careful = _Index([_untrusted_blank(t) for t in tokens], self._fuzzy, FUZZY_MIN_SAME_DAY, self._light)
        # Someone else's condition told by a person whose own back hurts ("dad's got cancer and
        # I've done my back in lifting him"): see _about_someone_else.
        stems = [t.stem for t in tokens]
        carer = bool(self._own_injury.find_all(stems)) or (
            bool(self._own_back.find_all(stems)) and not self._their_body.find_all(stems)
        )
        full.carer = careful.carer = carer
        return full, careful

    def _rewrite(self, tokens: list[Token]) -> list[Token]:
        """Phrases that mean one word: "left and right (leg)" is "both"."""
        if not self._rewrites.by_first and not self._rewrites.wild_first:
            return tokens
        stems = [t.stem for t in tokens]
        out: list[Token] = []
        i = 0
        joined: tuple[int, int] | None = None  # (clause after a dropped aside, the clause before it)
        while i < len(tokens):
            if joined and tokens[i].clause == joined[0]:
                tokens[i] = tokens[i]._replace(clause=joined[1])
            hits = self._rewrites.at(stems, i) if stems[i] in self._rewrites.by_first else []
            if hits:
                phrase, means = hits[0]
                clause = tokens[i].clause
                if not means and out and i + len(phrase) < len(tokens):
                    # An aside dropped ("I can't, you know, get it up"): its commas join, not split.
                    joined = (tokens[i + len(phrase)].clause, out[-1].clause)
                out.extend(Token(w, w, clause) for w in means)
                # Keep the phrase's wildcard words ("left LEG and right"): they may be symptoms' places.
                out.extend(tokens[i + k] for k, w in enumerate(phrase) if w == WILDCARD)
                i += len(phrase)
            else:
                out.append(tokens[i])
                i += 1
        return out

    def _drop_ignored(self, tokens: list[Token]) -> list[Token]:
        stems = [t.stem for t in tokens]
        hits = self._ignore.find_all(stems)
        if not hits:
            return tokens
        out = list(tokens)
        for start, phrase, _ in hits:
            for k in range(start, start + len(phrase)):
                out[k] = Token("", "", tokens[k].clause)
        return out

    def _drop_not_human(self, tokens: list[Token]) -> list[Token]:
        """'my dog's back legs are wobbly': what follows an animal or thing, up to the end of its
        clause or a word that brings a person back ("and I", "then"), is not the person's."""
        stems = [t.stem for t in tokens]
        hits = self._not_human.find_all(stems)
        if not hits:
            return tokens
        out = list(tokens)
        for start, phrase, _ in hits:
            if _in_simile(tokens, start):
                continue  # "like a dog gnawing on my back": the back is still the writer's
            k = start + len(phrase)
            if phrase[-1] in BIG_ANIMALS and _acts_on_person(tokens, stems, k):
                continue  # "the horse threw me", "a cow pinned me": what it did is the person's injury
            while k < len(tokens) and tokens[k].clause == tokens[start].clause and not self._breaks_at(stems, k):
                out[k] = Token("", "", tokens[k].clause)
                k += 1
        return out

    def _breaks_at(self, stems: list[str], k: int) -> bool:
        """Does a person come back at k? "I", "my" do; "and", "then" only with a person in the next
        two words ("my dog has IVDD AND was paralysed" is still the dog; "... and I hurt my back",
        "the horse reared and threw me", "and now her pads are soaked" are people)."""
        if stems[k] not in self._breaks:
            return False
        if stems[k] in PERSON_WORDS:
            return True
        if ANIMAL_PARTS.intersection(zip(stems[k + 1 : k + 4], stems[k + 2 : k + 5], strict=False)):
            return False  # "my dog ... and HIS BACK LEGS shake": people have no back legs
        return any(w in PERSON_WORDS or w in THIRD_PERSON for w in stems[k + 1 : k + 3])

    def _candidates(self, index: _Index) -> set[int]:
        """The ids of the patterns whose rarest group has a word in the message."""
        if index.candidates is None:
            keyed = self._keyed
            found = set(self._unkeyed)
            for word in index.by_stem:
                found.update(keyed.get(word, ()))
            for word in index.by_raw:
                found.update(keyed.get(RAW_KEY + word, ()))
            index.candidates = found
        return index.candidates

    def _match(self, index: _Index, patterns: tuple[Pattern, ...], window: int, item: Flag | Check) -> tuple[bool, bool]:
        """(a match not in doubt exists, a match in doubt exists)."""
        doubted = False
        candidates = self._candidates(index)
        for pattern in patterns:
            if id(pattern) not in candidates:
                continue
            for chosen in self._pattern_matches(index, pattern, window):
                if self._in_doubt(index, chosen, item, window):
                    doubted = True
                else:
                    return True, doubted
        return False, doubted

    def _pattern_matches(self, index: _Index, pattern: Pattern, window: int):
        pattern, window, ordered = _pattern_window(pattern, window)
        # Cheap test first: every group needs at least its first word somewhere in the message.
        if not all(self._present(index, group) for group in pattern):
            return
        group_spans = []
        for group in pattern:
            _, by_stem, by_raw = self._by_first[id(group)]
            spans = sorted({
                s for table, seen in ((by_stem, index.by_stem), (by_raw, index.by_raw))
                for first in (table.keys() & seen.keys()) for choice in table[first] for s in index.spans(choice)
            })
            if not spans:
                return
            group_spans.append(spans)
        # Try each occurrence of any group as the left edge of a window.
        lefts = sorted({s[0] for spans in group_spans for s in spans})
        pos = index.pos
        for left in lefts:
            right = pos[left] + window
            chosen: list[tuple[int, int]] = []
            for spans in group_spans:
                # In order: each group's words after the previous group's ("had a UTI", not "a UTI?
                # I've had none of the signs").
                after = chosen[-1][1] if ordered and chosen else left
                pick = next((s for s in spans if s[0] >= after and pos[s[1]] <= right), None)
                if pick is None:
                    break
                chosen.append(pick)
            else:
                if self._denials_in_place(index, chosen):
                    yield chosen

    def _denials_in_place(self, index: _Index, chosen: list[tuple[int, int]]) -> bool:
        """A pattern's own "no" / "can't" belongs to the words after it in its clause: "NO
        numbness, peeing fine, legs FEEL strong" is not "no feeling ... peeing", nor "I can FEEL
        everything, NO issues going to the toilet"."""
        # chosen holds one span per group, in the pattern's order: a denial group comes before
        # the group it denies ("no" | "feeling" | "toilet"), so its word must come first too.
        for (s, e), nxt in zip(chosen, chosen[1:], strict=False):
            if all(index.tokens[k].stem in self._denial_words for k in range(s, e)) and (
                nxt[0] < s or index.tokens[nxt[0]].clause != index.tokens[s].clause
            ):
                return False
        return True

    def _present(self, index: _Index, group: tuple[Choice, ...]) -> bool:
        """Does the first word of any choice of `group` occur in the message? (index.has for each
        choice, as one set test: the groups are long and this runs for every pattern.)"""
        wildcard, by_stem, by_raw = self._by_first[id(group)]
        return wildcard or not by_stem.keys().isdisjoint(index.by_stem) or not by_raw.keys().isdisjoint(index.by_raw)

    def _in_doubt(self, index: _Index, chosen: list[tuple[int, int]], item: Flag | Check, window: int) -> bool:
        denied = self._denied(index, chosen)
        if isinstance(item, Flag) and item.level == "same_day" and not item.negatable:
            denied = False
        return (
            denied
            or self._unless_near(index, chosen, item.unless, window)
            # A reason said anywhere ("he's been on a diet ... and lost 8 kg"): the window is the message.
            or (isinstance(item, Flag) and self._unless_near(index, [(0, len(index.stems))], item.unless_anywhere, 0))
            or (isinstance(item, Flag) and self._just_before(index, chosen, item.unless_before))
            or (index.carer and self._about_someone_else(index, chosen))
        )

    @staticmethod
    def _just_before(index: _Index, chosen: list[tuple[int, int]], phrases: tuple[tuple[str, ...], ...]) -> bool:
        """Does one of `phrases` open right before the sign, in its clause, and end at most
        BEFORE_GAP words before it ("feels LIKE I'VE BEEN run over", "like I've JUST been hit by a
        bus") or inside it ("LIKE I WAS hit": "was hit" is the sign's own words)?"""
        start = min(s for s, _ in chosen)
        clause = index.tokens[start].clause
        for phrase in phrases:
            for at in range(max(0, start - BEFORE_GAP - len(phrase)), start):
                if index.tokens[at].clause == clause and index.phrase_at(phrase, at):
                    return True
        return False

    def _about_someone_else(self, index: _Index, chosen: list[tuple[int, int]]) -> bool:
        """Is the sign said of another person ("my BROTHER was in a car crash") in its clause,
        with no "I" between them, by someone whose own back is the subject of the message?"""
        start = min(s for s, _ in chosen)
        stop = max(e for _, e in chosen)
        clause = index.tokens[start].clause
        # "My son, 6 years old, wet the bed": an age between the person and the sign is theirs.
        before = start - 1
        while before >= 0 and (index.tokens[before].stem.isdigit() or index.tokens[before].stem in AGE_WORDS):
            before -= 1
        for k in range(start - 1, max(-1, start - 9), -1):
            t = index.tokens[k]
            if t.clause != clause or t.stem in FIRST_PERSON:
                break
            # The other person HAS it ("dad has", "brother was in"), or it is theirs ("mum's
            # incontinent", "friend lost loads of weight"): the word right before the sign.
            if t.stem in self._others and (
                k in (start - 1, before)
                or any(index.tokens[j].stem in HAVING and index.tokens[j + 1].stem not in REPORTING for j in range(k + 1, min(k + 3, start)))
                # ... or they are who the clause is about: "MY FRIEND lost loads of weight with chemo"
                # ("my husband noticed a lump on MY spine" is the writer's).
                or (self._clause_subject(index, k)
                    and not any(w.stem in WRITER_WORDS for w in index.tokens[k + 1 :] if w.clause == clause))
            ):
                return True
        # ... or the other person is part of the sign itself ("NAN had a fall"), unless it landed
        # on the writer ("two lads landed ON TOP OF ME", "a van went INTO US"); not "Nan had a fall
        # in front of me" or "... and rang me".
        clause_end = index.tokens[stop - 1].clause
        if any(
            index.tokens[j].stem in ("me", "us") and index.tokens[j].clause == clause_end
            and (index.tokens[j - 1].stem in ONTO or (j >= 3 and index.phrase_at(ON_TOP_OF, j - 3)))
            for j in range(stop, min(stop + 5, len(index.tokens)))
        ):
            return False
        for k in range(start, stop):
            if index.tokens[k].stem in self._others and any(
                index.tokens[j].stem in HAVING for j in range(k + 1, min(k + 3, len(index.tokens)))
            ):
                return True
        return False

    @staticmethod
    def _clause_subject(index: _Index, k: int) -> bool:
        """Does the clause open with the word at k ("my friend ...", "the lady ...")?"""
        clause = index.tokens[k].clause
        j = k - 1
        while j >= 0 and index.tokens[j].clause == clause and index.tokens[j].stem in SUBJECT_OPENERS:
            j -= 1
        return j < 0 or index.tokens[j].clause != clause

    def _unless_near(self, index: _Index, chosen: list[tuple[int, int]], unless, window: int) -> bool:
        if not unless:
            return False
        lo = max(0, min(s for s, _ in chosen) - window)
        hi = min(len(index.stems), max(e for _, e in chosen) + window)
        for phrase in unless:
            # Only where its first word is (the window may be the whole message).
            starts = range(lo, hi) if phrase[0] == WILDCARD else index.by_stem.get(phrase[0], ())
            for start in starts:
                if (
                    lo <= start <= hi - len(phrase) and index.phrase_at(phrase, start)
                    and not self._but_between(index, start + len(phrase), chosen)
                    and not _fine_but(index.tokens, phrase, start)
                    and not self._fine_of_another(index, phrase, start, chosen)
                ):
                    # "lost weight WITHOUT dieting": a denied `unless` word is no reason to doubt.
                    if not self._denied(index, [(start, start + len(phrase))]):
                        return True
        return False

    def _fine_of_another(self, index: _Index, phrase: tuple[str, ...], start: int, chosen: list[tuple[int, int]]) -> bool:
        """ "Fell down the stairs holding the baby, BABY FINE": well is said of someone the sign is
        not about (a person named right before "fine", and not before the sign itself), or of
        everything else ("doing OK OTHERWISE")."""
        if phrase not in WELL_WORDS:
            return False
        # "Doing OK otherwise", "otherwise fine": well apart from what the message is about.
        if any(0 <= j < len(index.tokens) and index.tokens[j].word == "otherwise" for j in (start - 1, start + len(phrase))):
            return True
        k = start - 1
        while k >= 0 and index.tokens[k].word in LINK_WORDS:
            k -= 1
        if k < 0 or index.tokens[k].stem not in self._others or index.tokens[k].stem in THIRD_PERSON:
            return False
        owner = index.tokens[k].stem
        first = min(s for s, _ in chosen)
        return first < k and all(t.stem != owner for t in index.tokens[max(0, first - 8) : first + 1])

    @staticmethod
    def _but_between(index: _Index, end: int, chosen: list[tuple[int, int]]) -> bool:
        """Is there a "but" after a reason to doubt and before the sign ("probably just the muscle,
        BUT there's a lump by my spine")? What follows "but" is what the person stands by. (A
        reason after the sign, "lost weight but I'm dieting", still counts.)"""
        start = min(s for s, _ in chosen)
        return any(_contrast_after(index.tokens, end, k) for k in range(end, start + 1))

    def _denied(self, index: _Index, chosen: list[tuple[int, int]]) -> bool:
        """Is there a denial before or inside the match, in the same clause ("no fever", "I don't
        have ...", "the pain doesn't go into my legs, both ...")?"""
        used = {i for s, e in chosen for i in range(s, e)}
        start = min(s for s, _ in chosen)
        stop = max(e for _, e in chosen)
        stems = index.stems
        for pos in range(max(0, start - NEGATION_REACH), stop):
            clause = index.tokens[pos].clause
            if pos < start and clause != index.tokens[start].clause:
                continue
            for neg, reach, typed in self.negations:
                end = pos + len(neg)
                # A denial reaches the matched words within `reach` words after it, no further:
                # "nearly tripped" is denied; "sneezed and nearly hit the ceiling with the PAIN" is not.
                # Inside the match a denial reaches only the next few words ("the pain is NOT
                # there all the time"), so "pain, never rests, day and night" still counts.
                if pos >= start:
                    reach = min(reach, INSIDE_REACH)
                if end > stop or used & set(range(pos, end)):
                    continue
                pos_of = index.pos
                if not any(
                    end <= t and pos_of[t] - pos_of[end] < reach and index.tokens[t].clause == clause for t in used
                ):
                    continue
                # "can't sneeze WITHOUT it hurting": two denials make a yes.
                if neg == ("without",) and any(
                    stems[k] & self._double and index.tokens[k].clause == clause for k in range(max(0, pos - 5), pos)
                ):
                    continue
                if typed:
                    found = all(index.tokens[pos + k].word == w for k, w in enumerate(neg))
                else:
                    found = all(w in stems[pos + k] for k, w in enumerate(neg))
                if not found:
                    continue
                # "never had chest pain before, today I have both": news, not a denial.
                if neg == ("never",) and self._news(index, end):
                    continue
                # "not sure if ...", "haven't been able to ..." are not denials.
                hedges = self.hedges if reach == NEGATION_REACH else self.hedges | self.near_hedges
                if any(
                    stems[k] & hedges or (reach != NEGATION_REACH and any(w.isdigit() for w in stems[k]))
                    for k in range(end, min(end + 2, len(stems)))
                ):
                    continue
                return True
        # "peeing FINE, legs feel strong": each matched part may be denied right after it.
        return any(self._denied_after(index, e) for _, e in chosen)

    def _news(self, index: _Index, after: int) -> bool:
        """After "never": "like this (one)" in its clause, "happened (before)" right after it (what
        came before it is new: "a belt now, which never happened before"), or "before" and then,
        within a few words, a word saying it is here now ("never hurt to sneeze before, NOW I dread it")."""
        tokens = index.tokens
        clause = tokens[after - 1].clause
        if after < len(tokens) and tokens[after].word in ("happened", "happens", "happen") and tokens[after].clause == clause:
            return True
        for k in range(after, min(after + NEWS_REACH, len(tokens))):
            word = tokens[k].word
            if tokens[k].clause == clause and word == "like" and k + 1 < len(tokens) and tokens[k + 1].word in ("this", "that"):
                return True
            if word == "before":
                return any(t.word in NEWS_NOW for t in tokens[k + 1 : k + 1 + NEWS_REACH])
        return False

    def _denied_after(self, index: _Index, stop: int) -> bool:
        """Is the sign denied right after it is named ("bladder fine", "legs feel strong")? Only
        link words ("is", "are", "feel") may stand between: "is THAT normal?" is a question."""
        stems = index.stems
        clause = index.tokens[stop - 1].clause
        k = stop
        # "Eating fine" says the appetite is fine, not the sign before it ("weight keeps dropping
        # even though I'm eating fine").
        if stems[stop - 1] & AFTER_EXEMPT:
            return False
        while k < len(stems) and k - stop <= AFTER_REACH and index.tokens[k].clause == clause:
            if any(index.phrase_at(phrase, k) for phrase in self._after_denials):
                return True
            if not stems[k] & self._after_links:
                return False
            k += 1
        return False


def _fine_but(tokens: list[Token], phrase: tuple[str, ...], start: int) -> bool:
    """ "He says he's FINE, BUT now his back is really sore": well, except for the pain that follows
    ("I'm fine but a bit shaken" is still a reason to ask)."""
    end = start + len(phrase)
    if phrase not in WELL_WORDS or end >= len(tokens) or not _contrast_after(tokens, end, end):
        return False
    return any(t.word in PAIN_WORDS for t in tokens[end:] if t.clause == tokens[end].clause)


def _contrast_after(tokens: list[Token], end: int, k: int) -> bool:
    """Is the word at k in a "but" / "however" clause other than the one the words before `end` end?"""
    return is_contrast(tokens[k].clause) and tokens[k].clause != tokens[end - 1].clause


def _acts_on_person(tokens: list[Token], stems: list[str], k: int) -> bool:
    """An animal's injuring verb with a person as its object soon after: "threw me", "came down on top of me"."""
    return k < len(stems) and stems[k] in HURTS_PERSON and any(
        stems[j] in ACTED_ON and tokens[j].clause == tokens[k].clause for j in range(k + 1, min(k + 6, len(stems)))
    )


def _in_simile(tokens: list[Token], k: int) -> bool:
    """Is the word at k part of a comparison: "like dogs", "like a (car) alarm", "as if a dog ..."?"""
    words = [t.word for t in tokens[max(0, k - 3) : k]]
    clause = tokens[k].clause
    for back in range(1, len(words) + 1):
        if tokens[k - back].clause != clause:
            return False
        if words[-back] == "like" or (words[-back] == "if" and back >= 2 and k - back - 1 >= 0 and tokens[k - back - 1].word == "as"):
            # "like" right before, or "like a/an" and at most one word more.
            return back == 1 or words[-back + 1] in SIMILE_ARTICLES
    return False


_YEAR = re.compile(r"(?:19|20)[0-9][0-9]")
YEAR_WORD = "ayear"  # what a year such as 1987 reads as, for `unless` lists
_WINDOW = re.compile(r"~[0-9]{1,2}>?")  # a pattern's own window: ["~3", "pee", "hard"]; "~3>": in that order


def _plain_words(model: RedFlagFile) -> frozenset[str]:
    """The words of the file's other lists (denials, hedges, exceptions, rewrites ...). They are
    real words the scanner reads, so the typo fixer must know them: unknown, "neither" was
    "corrected" to the saddle word "nether"."""
    lists = (
        model.negations, model.near_negations, model.hedges, model.near_hedges, model.double_negatives,
        model.after_denials, model.after_links,
        model.doubt_anywhere, model.others, model.own_back, model.own_injury, model.their_body, model.ignore,
        model.skip_words, model.light_words, model.not_human, model.subject_breaks,
        tuple(model.rewrites), tuple(model.rewrites.values()),
        *(f.unless for f in model.flag), *(f.unless_anywhere for f in model.flag), *(f.unless_before for f in model.flag),
        *(c.unless for c in model.check),
    )
    return frozenset(w for items in lists for item in items for w in re.findall(r"[a-z0-9]+", fold(item)) if w)


def _window_group(marker: str) -> tuple[Choice, ...]:
    return (Choice(words=(), exact=False, raw=(), window=int(marker[1:].rstrip(">")), ordered=marker.endswith(">")),)


def _choices_by_first(group: tuple[Choice, ...]) -> tuple[bool, dict[str, list[Choice]], dict[str, list[Choice]]]:
    """(a choice starts with *, the choices by first stem, by first exact word) of a pattern group
    (a window marker, "~16", has no words). A choice starting with * never has a place of its own
    (_Index.spans), but makes the group present in any message."""
    wildcard = False
    by_stem: dict[str, list[Choice]] = {}
    by_raw: dict[str, list[Choice]] = {}
    for c in group:
        if not c.words:
            continue
        if c.words[0] == WILDCARD:
            wildcard = True
        else:
            (by_raw if c.exact else by_stem).setdefault(c.words[0], []).append(c)
    return wildcard, by_stem, by_raw


def _pattern_window(pattern: Pattern, default: int) -> tuple[Pattern, int, bool]:
    """(the groups, the window, whether the groups must come in order)."""
    if pattern and pattern[0] and pattern[0][0].window:
        return pattern[1:], pattern[0][0].window, pattern[0][0].ordered
    return pattern, default, False


def _compile_group(group: str, concepts: dict[str, tuple[str, ...]], skip: AbstractSet[str] = frozenset()) -> tuple[Choice, ...]:
    out: list[Choice] = []
    for choice in group.split("|"):
        texts = concepts[choice[1:]] if choice.startswith(CONCEPT_MARK) else (choice,)
        for text in texts:
            exact, words = _choice(text)
            # Fillers are dropped from messages before matching, so from phrases too ("like jelly").
            kept = tuple(w for w in words if w not in skip)
            if kept and any(w != WILDCARD for w in kept):
                words = kept
            raw = tuple(w for w in re.findall(r"[a-z0-9]+", fold(text.lstrip("="))))
            c = Choice(words=words, exact=exact, raw=raw)
            if c not in out:
                out.append(c)
    return tuple(out)


def _as_typed(token: Token) -> Token:
    if token.fixed and edit_distance(token.typed, token.word, 1) > 1:
        return Token(token.typed, stem(token.typed), token.clause)
    return token


def _untrusted_blank(token: Token) -> Token:
    """A short word the typo fixer changed is not trusted by same-day flags ("limp" is not
    "lump"), unless the fix only puts back one left-out letter ("fevr", "nevr")."""
    if token.fixed and len(token.typed) <= SHORT_TYPO and not _one_letter_left_out(token.typed, token.word):
        return Token("", "", token.clause)
    return token


def _one_letter_left_out(typed: str, word: str) -> bool:
    return len(word) == len(typed) + 1 and any(word[:i] + word[i + 1 :] == typed for i in range(1, len(word)))


def load_redflags(path: Path | str | None = None) -> RedFlags:
    """Read and check redflags.toml; problems raise ContentError naming the file and field."""
    path = Path(path) if path else DEFAULT_CONTENT_DIR / "redflags.toml"
    return RedFlags.from_model(load_one(path, RedFlagFile))
