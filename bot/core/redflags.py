"""Red-flag scanner: finds emergency and same-day warning signs in a typed message.

Patterns live in content/redflags.toml. Each pattern is a list of word groups that must all occur
within a window of tokens. Matching runs over stemmed, typo-fixed tokens of the WHOLE message
(a warning sign buried at the end of a long message still counts), using a position index so the
cost stays linear in the message length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.core.content import DEFAULT_CONTENT_DIR, StrictModel, load_one
from bot.core.text import WILDCARD, PhraseIndex, Token, fold, stem

LEVELS = ("emergency", "same_day")  # most urgent first
SHORT_TYPO = 4  # typo fixes of words this short are not trusted by same-day flags
NEGATION_REACH = 6  # how many words back a denial ("no", "not") can reach, within one clause


def _choice(text: str) -> tuple[bool, tuple[str, ...]]:
    """'=legs' -> exact word; 'pins and needles' -> stems; '*' stays a wildcard."""
    exact = text.startswith("=")
    found = re.findall(r"\*|[a-z0-9]+", fold(text.lstrip("=")))
    return exact, tuple(w if (exact or w == WILDCARD) else stem(w) for w in found)


def _compile_choice(text: str) -> "Choice":
    exact, words = _choice(text)
    return Choice(words=words, exact=exact)


class FlagModel(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")
    level: Literal["emergency", "same_day"]
    about: str = Field(min_length=1)
    window: int = Field(default=6, ge=1, le=30)
    negatable: bool = False
    patterns: tuple[tuple[str, ...], ...] = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _patterns_ok(cls, patterns: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for pattern in patterns:
            if not pattern:
                raise ValueError("a pattern needs at least one word group")
            for group in pattern:
                for choice in group.split("|"):
                    exact, words = _choice(choice)
                    if not words or all(w == WILDCARD for w in words):
                        raise ValueError(f"'{choice}' in \"{group}\" has no word")
                    if exact and len(words) != 1:
                        raise ValueError(f"'{choice}': an exact (=) choice must be one word")
        return patterns

    @model_validator(mode="after")
    def _emergency_never_negated(self) -> "FlagModel":
        if self.negatable and self.level == "emergency":
            raise ValueError("an emergency flag must not be negatable: when in doubt, flag it")
        return self


class RedFlagFile(StrictModel):
    negations: tuple[str, ...] = Field(min_length=1)
    hedges: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    flag: tuple[FlagModel, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> "RedFlagFile":
        ids = [f.id for f in self.flag]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"flag ids used twice: {', '.join(dupes)}")
        return self


@dataclass(frozen=True)
class Choice:
    words: tuple[str, ...]
    exact: bool  # match the folded word, not its stem


@dataclass(frozen=True)
class Flag:
    id: str
    level: str
    about: str
    window: int
    negatable: bool
    patterns: tuple[tuple[tuple[Choice, ...], ...], ...]  # pattern -> groups -> choices


@dataclass(frozen=True)
class FlagHit:
    flag: str
    level: str


class _Index:
    """Where each stem and each exact word sits in the message."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.stems = [t.stem for t in tokens]
        self.by_stem: dict[str, list[int]] = {}
        self.by_raw: dict[str, list[int]] = {}
        for i, t in enumerate(tokens):
            if t.stem:
                self.by_stem.setdefault(t.stem, []).append(i)
                self.by_raw.setdefault(t.word, []).append(i)

    def spans(self, choice: Choice) -> list[tuple[int, int]]:
        """(start, end-exclusive) of every place `choice` occurs."""
        first = choice.words[0]
        if first == WILDCARD:
            return []
        starts = (self.by_raw if choice.exact else self.by_stem).get(first, ())
        n = len(choice.words)
        out = []
        for s in starts:
            if s + n <= len(self.stems) and all(
                w == WILDCARD or w == self.stems[s + k] for k, w in enumerate(choice.words[1:], 1)
            ):
                out.append((s, s + n))
        return out


class RedFlags:
    def __init__(self, flags: list[Flag], negations: list[tuple[str, ...]], hedges: set[str], ignore: list[tuple[str, ...]]):
        order = {level: i for i, level in enumerate(LEVELS)}
        self.flags = sorted(flags, key=lambda f: order[f.level])
        self.negations = [n for n in negations if n]
        self.hedges = hedges
        self._ignore = PhraseIndex((p, True) for p in ignore if p)

    @classmethod
    def from_model(cls, model: RedFlagFile) -> "RedFlags":
        flags = []
        for f in model.flag:
            patterns = tuple(
                tuple(tuple(_compile_choice(c) for c in group.split("|")) for group in pattern)
                for pattern in f.patterns
            )
            flags.append(Flag(f.id, f.level, f.about, f.window, f.negatable, patterns))
        return cls(
            flags,
            negations=[_choice(n)[1] for n in model.negations],
            hedges={stem(h) for h in model.hedges},
            ignore=[_choice(p)[1] for p in model.ignore],
        )

    def words(self) -> set[str]:
        """Every plain word the patterns use, so the typo fixer knows them."""
        out: set[str] = set()
        for flag in self.flags:
            for pattern in flag.patterns:
                for group in pattern:
                    for choice in group:
                        out.update(w for w in choice.words if w != WILDCARD)
        return out

    def stems(self) -> set[str]:
        """Stems of the single-word choices (the symptom words the scanner owns)."""
        return {c.words[0] for f in self.flags for p in f.patterns for g in p for c in g if len(c.words) == 1 and not c.exact}

    def scan(self, tokens: list[Token]) -> FlagHit | None:
        """The most urgent flag in the message, or None."""
        hits = self._scan(tokens, first_only=True)
        return hits[0] if hits else None

    def scan_all(self, tokens: list[Token]) -> list[FlagHit]:
        """Every flag in the message (for tests and the content checker)."""
        return self._scan(tokens, first_only=False)

    def _scan(self, tokens: list[Token], first_only: bool) -> list[FlagHit]:
        tokens = self._drop_ignored(tokens)
        full = _Index(tokens)
        careful: _Index | None = None
        hits = []
        for flag in self.flags:  # emergency flags first
            index = full
            if flag.negatable:
                # Same-day flags don't trust a fixed typo in a short word ("limp" is not "lump");
                # emergency flags do: a false alarm there is the safe side.
                careful = careful or _Index([_untrusted_blank(t) for t in tokens])
                index = careful
            if any(self._pattern_fires(index, flag, p) for p in flag.patterns):
                hits.append(FlagHit(flag.id, flag.level))
                if first_only:
                    break
        return hits

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

    def _pattern_fires(self, index: _Index, flag: Flag, pattern) -> bool:
        # Cheap test first: every group needs at least its first word somewhere in the message.
        for group in pattern:
            if not any(
                (c.words[0] in (index.by_raw if c.exact else index.by_stem)) or c.words[0] == WILDCARD for c in group
            ):
                return False
        group_spans = []
        for group in pattern:
            spans = sorted({s for choice in group for s in index.spans(choice)})
            if not spans:
                return False
            group_spans.append(spans)
        # Try each occurrence of any group as the left edge of a window.
        lefts = sorted({s[0] for spans in group_spans for s in spans})
        for left in lefts:
            right = left + flag.window
            chosen = []
            for spans in group_spans:
                pick = next((s for s in spans if s[0] >= left and s[1] <= right), None)
                if pick is None:
                    break
                chosen.append(pick)
            else:
                if not flag.negatable or not self._denied(index, chosen):
                    return True
        return False

    def _denied(self, index: _Index, chosen: list[tuple[int, int]]) -> bool:
        """Is the match preceded, in the same clause, by a denial ("no fever", "I don't have ...")?"""
        used = {i for s, e in chosen for i in range(s, e)}
        start = min(s for s, _ in chosen)
        clause = index.tokens[start].clause
        stems = index.stems
        for pos in range(max(0, start - NEGATION_REACH), start):
            if index.tokens[pos].clause != clause:
                continue
            for neg in self.negations:
                end = pos + len(neg)
                if end > start or tuple(stems[pos:end]) != neg or used & set(range(pos, end)):
                    continue
                if end < len(stems) and stems[end] in self.hedges:
                    continue  # "not sure if ..." is not a denial
                return True
        return False


def _untrusted_blank(token: Token) -> Token:
    if token.fixed and len(token.typed) <= SHORT_TYPO:
        return Token("", "", token.clause)
    return token


def load_redflags(path: Path | str | None = None) -> RedFlags:
    """Read and check redflags.toml; problems raise ContentError naming the file and field."""
    path = Path(path) if path else DEFAULT_CONTENT_DIR / "redflags.toml"
    return RedFlags.from_model(load_one(path, RedFlagFile))
