"""Text normalisation for the question engine and the red-flag scanner.

Pipeline: fold (case, unicode, quotes, apostrophes) -> words with clause numbers -> typo fix
against a known vocabulary -> a small suffix stemmer. Everything here is pure and fast; the
typo index is built once and lookups are cached.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from pydantic import Field, field_validator

from bot.core.content import DEFAULT_CONTENT_DIR, StrictModel, load_one

# Unicode punctuation people's phones produce, mapped to plain ASCII.
_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00e6": "ae",
        # Cyrillic and Greek letters that look like Latin ones: "bladdеr" with a Cyrillic e
        # must still read as "bladder". The bot speaks English, so nothing is lost.
        "\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y",
        "\u0445": "x", "\u0456": "i", "\u0458": "j", "\u0455": "s", "\u0501": "d", "\u051b": "q",
        "\u051d": "w", "\u04bb": "h", "\u0432": "b", "\u043a": "k", "\u043c": "m", "\u043d": "h",
        "\u0442": "t", "\u0410": "a", "\u0415": "e", "\u041e": "o", "\u0420": "p", "\u0421": "c",
        "\u0425": "x", "\u0412": "b", "\u041a": "k", "\u041c": "m", "\u041d": "h", "\u0422": "t",
        "\u03bf": "o", "\u03b1": "a", "\u03b5": "e", "\u03b9": "i", "\u03ba": "k", "\u03bd": "v",
        "\u03c1": "p", "\u03c4": "t", "\u03c5": "u", "\u03c7": "x", "\u039f": "o", "\u0391": "a",
        "\u0395": "e", "\u0399": "i", "\u039a": "k", "\u03a1": "p", "\u03a4": "t", "\u03a7": "x",
        # Faces of pain say what a word would ("achoo = 😭 back", "upper back 😣"); a face with a
        # thermometer says fever. Other emoji carry nothing we read.
        **{face: " hurts " for face in "\U0001f623\U0001f616\U0001f62b\U0001f629\U0001f62d\U0001f915"},
        "\U0001f912": " fever ",
    }
)
# Invisible format characters (zero-width spaces and joiners, soft hyphens, bidi marks) can hide
# a word from matching; they carry no meaning for us, so they go before anything else.
_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufe00-\ufe0f]")
# "can't" -> "cant", "back's" -> "backs": apostrophes inside a word just go.
_APOSTROPHE = re.compile(r"(?<=[a-z0-9])'(?=[a-z])")
_WILL = re.compile(r"(?<=[a-z])'ll\b")
# "a&e" -> "ae", "24/7" -> "24 7" is fine as two tokens.
_AMP_IN_WORD = re.compile(r"(?<=[a-z])\s*&\s*(?=[a-z]\b)")
CONTRAST_BREAKS = frozenset({"but", "however"})
_CLAUSE_BREAK = re.compile(r"[.!?;,:\n()\[\]]+|\bbut\b|\bhowever\b|\balthough\b|\bthough\b")
_WORD = re.compile(r"[a-z0-9]+")
_WITH_OUT = re.compile(r"(?<![a-z0-9])w/o(?![a-z0-9])")  # "w/o" is "without"
# "4kg", "40mph", "10x": a number glued to its unit is two words.
_NUMBER_UNIT = re.compile(r"(?<![a-z0-9])(\d+)([a-z]{1,12})\b")


def fold(text: str) -> str:
    """Lower-case ASCII-ish text: unicode folded, accents dropped, quotes and apostrophes plain."""
    text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).translate(_CHAR_MAP).lower()
    if not text.isascii():  # drop accents ("café" -> "cafe") but keep the base letters
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _WILL.sub(" will", text)  # "I'll" must not become "ill"
    text = _WITH_OUT.sub(" without ", text).replace("w/ ", "with ")
    text = _APOSTROPHE.sub("", text)
    # "&" and "+" join words ("ice & heat", "lift safely + should I wear a belt", "pins+needles").
    return _NUMBER_UNIT.sub(r"\1 \2", _AMP_IN_WORD.sub("", text).replace("&", " and ").replace("+", " and "))


def question_clauses(text: str) -> frozenset[int]:
    """Numbers (as in `words`) of the clauses that end with a question mark."""
    return frozenset(number for _, number, end in _clauses(text) if "?" in end)


def _clauses(text: str) -> list[tuple[str, int, str]]:
    """(text, number, the break that ends it) of each clause of folded text. A number is odd when
    the clause follows "but" or "however" ("probably just the muscle, BUT there's a lump"), so a
    reader can tell what the person stands by. "However, ..." and "but, ..." count too: the
    contrast carries over a clause with no word in it."""
    folded = fold(text)
    breaks = [m.group() for m in _CLAUSE_BREAK.finditer(folded)]
    out: list[tuple[str, int, str]] = []
    contrast = False
    for k, part in enumerate(_CLAUSE_BREAK.split(folded)):
        if k:
            contrast = breaks[k - 1] in CONTRAST_BREAKS or (contrast and not _WORD.search(out[-1][0]))
        out.append((part, 2 * k + contrast, breaks[k] if k < len(breaks) else ""))
    return out


def is_contrast(clause: int) -> bool:
    """Does this clause (a Token.clause) follow "but" or "however"?"""
    return clause % 2 == 1


def words(text: str, limit: int | None = None) -> list[tuple[str, int]]:
    """(word, clause number) pairs of folded text; clauses split at punctuation and 'but'."""
    out: list[tuple[str, int]] = []
    for part, clause, _ in _clauses(text):
        for word in _WORD.findall(part):
            out.append((word, clause))
            if limit is not None and len(out) >= limit:
                return out
    return out


# --- stemming ---------------------------------------------------------------------------------

# Irregular forms that suffix rules can't reach; mapped to a base word that is then stemmed.
IRREGULAR = {
    "fell": "fall", "fallen": "fall", "sat": "sit", "slept": "sleep", "felt": "feel", "bent": "bend",
    "threw": "throw", "thrown": "throw", "lying": "lie", "lay": "lie", "lain": "lie", "lies": "lie",
    "ran": "run", "went": "go", "gone": "go", "took": "take", "taken": "take", "woke": "wake",
    "woken": "wake", "ate": "eat", "eaten": "eat", "feet": "foot", "teeth": "tooth", "lost": "lose",
    "loss": "lose", "did": "do", "done": "do", "broke": "break", "broken": "break", "stood": "stand",
    "got": "get", "gotten": "get", "gave": "give", "given": "give", "swung": "swing", "rode": "ride",
    "ridden": "ride", "tore": "tear", "torn": "tear", "caught": "catch", "bought": "buy",
    "children": "child", "kids": "kid", "men": "man", "women": "woman", "worst": "worse",
    "used": "use", "tingly": "tingle", "aching": "ache", "achy": "ache", "achey": "ache",
    "knelt": "kneel", "drank": "drink", "drunk": "drink", "crushed": "crush", "peed": "pee",
    "spasmed": "spasm", "spasmd": "spasm", "spazzed": "spazm",
    "cannot": "cant", "couldnt": "cant", "wont": "wont", "its": "it", "im": "i", "ive": "i",
    "ur": "your", "u": "you", "wat": "what", "wot": "what", "wut": "what", "wats": "what", "wots": "what", "wuts": "what", "r": "are", "pls": "please", "plz": "please", "thx": "thanks",
    "shivery": "shiver", "feverish": "fever", "swollen": "swell", "whats": "what", "thats": "that",
    # Text-speak, folded to the word it stands for ("pins n needles", "cnt feel", "shud i").
    "n": "and", "nd": "and", "cnt": "cant", "cudnt": "cant", "dnt": "dont", "wnt": "wont", "cud": "could",
    "shud": "should", "shld": "should", "wud": "would", "wen": "when", "b4": "before", "coz": "because",
    "cos": "because", "cuz": "because", "bcoz": "because", "abt": "about", "thru": "through",
    "nite": "night", "tmrw": "tomorrow", "yr": "your", "wiv": "with", "wivout": "without", "hav": "have", "havnt": "havent",
    "kant": "cant", "dosnt": "doesnt", "didint": "didnt", "cn": "can", "wrk": "work", "afta": "after",
    "da": "the", "dat": "that", "dis": "this", "em": "them", "giv": "give", "agen": "again", "gud": "good",
    "sumthing": "something", "sumthin": "something", "smth": "something", "somethin": "something",
    "bk": "back", "bck": "back", "y": "why", "doc": "doctor", "footy": "football", "footie": "football",
    "fel": "fall", "bak": "back", "appt": "appointment", "appts": "appointment", "apt": "appointment", "docs": "doctors",
    # Scots and other dialect forms of denials and words people use for the signs.
    # Jamaican: "mi cyaan pass water", "a bump come up pon mi back" (not the pony's stem "pon").
    "cyaan": "cant", "kyaan": "cant", "pon": "on",
    "cannae": "cant", "canna": "cant", "couldnae": "cant", "dinnae": "dont", "didnae": "didnt",
    "doesnae": "doesnt", "isnae": "isnt", "wasnae": "wasnt", "wouldnae": "wouldnt", "willnae": "wont",
    "winnae": "wont", "aint": "isnt", "masel": "myself", "maself": "myself", "withoot": "without",
    "aboot": "about", "pish": "piss", "pishing": "piss", "pishin": "piss", "stiffy": "erection",
    "stiffie": "erection", "nae": "no", "naw": "no", "gaun": "going", "gaunae": "going to", "tae": "to",
    "aff": "off", "wi": "with", "ma": "my", "sair": "sore", "oot": "out", "doon": "down", "heid": "head",
    "hame": "home", "nicht": "night", "frae": "from", "fae": "from", "dae": "do", "daein": "doing",
    "yer": "your", "ye": "you", "youse": "you", "awfy": "very", "bairn": "child", "wean": "child",
    "weans": "child", "ken": "know", "greetin": "crying", "mebbe": "maybe", "oor": "our",
    "baith": "both", "atween": "between", "shooder": "shoulder", "shooders": "shoulder",
    # Everyday misspellings too short for the typo fixer to risk ("ise or heet").
    "ise": "ice", "iec": "ice", "hting": "thing",
}
# Stems whose derived form should meet the base ("strengthening" -> "strengthen" -> "strength").
_STEM_MAP = {
    "strengthen": "strength", "tighten": "tight", "worsen": "wors", "stiffen": "stiff",
    "weaken": "weak", "loosen": "loos", "lengthen": "length", "soften": "soft", "inflammat": "inflam",
}
_VOWELS = set("aeiou")


def _has_vowel(s: str) -> bool:
    return any(c in _VOWELS or c == "y" for c in s)


def _cvc(s: str) -> bool:
    """Short consonant-vowel-consonant ending ("mov", "car"): such stems lost an 'e'."""
    return (
        len(s) == 3
        and s[0] not in _VOWELS
        and s[1] in _VOWELS
        and s[2] not in _VOWELS
        and s[2] not in "wxy"
    )


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A small suffix stemmer: conflates plurals, -ing/-ed, -ly/-ness/-ful/-ment and a final -e/-y.

    It aims at consistency, not real roots: 'injury', 'injuries' and 'injured' all give 'injur'.
    """
    word = IRREGULAR.get(word, word)
    if len(word) <= 3 or not word.isalpha():
        return word
    w = word
    # Plurals and third person.
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("nesses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    # -ing / -ed, with Porter's clean-up (undouble, or put back a lost 'e').
    for suffix in ("ing", "ied", "ed"):
        if not w.endswith(suffix):
            continue
        base = w[: -len(suffix)]
        if suffix == "ied":
            w = base + "y"
            break
        if suffix == "ed" and base.endswith("e"):
            break  # "need", "bleed", "speed"
        if len(base) < 3 or not _has_vowel(base):
            break
        if base[-1] == base[-2] and base[-1] not in "lsz" and base[-1] not in _VOWELS:
            base = base[:-1]
        elif _cvc(base):
            base += "e"
        w = base
        break
    # "contraction" -> "contract", "tension" -> "tens" (like "tense"), "prevention" -> "prevent".
    if w.endswith("ion") and len(w) >= 7 and w[-4] in "ts":
        w = w[:-3]
    # Derivational endings, possibly stacked ("painfully" -> "painful" -> "pain").
    changed = True
    while changed:
        changed = False
        for suffix, min_base in (("ly", 4), ("ness", 3), ("ful", 3), ("ment", 4)):
            if w.endswith(suffix) and len(w) - len(suffix) >= min_base:
                w = w[: -len(suffix)]
                changed = True
    w = _STEM_MAP.get(w, w)
    # Final y/i after a consonant ("injury"/"injuri" -> "injur"), final e on longer words.
    if len(w) > 3 and w[-1] in "yi" and w[-2] not in _VOWELS:
        w = w[:-1]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]
    return _STEM_MAP.get(w, w)


# --- typo correction ----------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Optimal-string-alignment distance (swaps of neighbours count 1); stops early past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        row_min = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
            row_min = min(row_min, cur[j])
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
# Letters that sound alike, including voiced and unvoiced pairs ("blatter" for "bladder").
_SOUND_ALIKE = (set("aeiou"), set("cksz"), set("dt"), set("bp"), set("gk"), set("fv"))


# Spellings that sound the same, for sound_key: "erecshun" is "erection", "bowles" is "bowels".
_SOUND_SPELLINGS = (
    (re.compile(r"^kn"), "n"), (re.compile(r"^wr"), "r"), (re.compile(r"^wh"), "w"),
    (re.compile(r"(?:tion|sion|ssion|shun|shon|shen|tian|cian)"), "shn"),
    (re.compile(r"igh"), "i"), (re.compile(r"gh$"), ""), (re.compile(r"ph"), "f"),
    (re.compile(r"ck|q"), "k"), (re.compile(r"x"), "ks"), (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"), (re.compile(r"z"), "s"), (re.compile(r"mb$"), "m"),
    (re.compile(r"(?<=.)y(?=.)"), "i"),
)
# Voiced and unvoiced pairs sound alike to a speller ("blatter" for "bladder"): the two-letter
# groups of _SOUND_ALIKE, each read as one letter.
_VOICING = str.maketrans({a: min(g) for g in _SOUND_ALIKE if len(g) == 2 for a in g})
_DOUBLED = re.compile(r"([a-z])\1+")


def sound_key(word: str) -> str:
    """How a word sounds, roughly: spelling-by-ear variants ("erecshun", "bowles", "controll") get
    the key of the word meant. Vowels after the first letter are dropped: they are what people
    mishear most."""
    for pattern, repl in _SOUND_SPELLINGS:
        word = pattern.sub(repl, word)
    word = _DOUBLED.sub(r"\1", word.translate(_VOICING))
    # A final "y" stays: "chesty" is not "chest".
    return word[:1] + re.sub(r"[aeiou]+", "", word[1:])


def _keyboard_neighbours() -> dict[str, set[str]]:
    near: dict[str, set[str]] = {c: set() for row in _ROWS for c in row}
    for r, row in enumerate(_ROWS):
        for i, c in enumerate(row):
            near[c].update(row[j] for j in (i - 1, i + 1) if 0 <= j < len(row))
            if r + 1 < len(_ROWS):  # the row below is shifted right by half a key
                below = _ROWS[r + 1]
                for j in (i - 1, i):
                    if 0 <= j < len(below):
                        near[c].add(below[j])
                        near[below[j]].add(c)
    return near


_NEAR = _keyboard_neighbours()


def plausible_swap(a: str, b: str) -> bool:
    """Could a person type letter `a` for `b`? Neighbouring keys, or letters that sound alike."""
    return b in _NEAR.get(a, ()) or any(a in g and b in g for g in _SOUND_ALIKE)


def _one_substitution(word: str, cand: str) -> tuple[str, str] | None:
    if len(word) != len(cand):
        return None
    diff = [(a, b) for a, b in zip(word, cand, strict=False) if a != b]
    return diff[0] if len(diff) == 1 else None


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


MAX_FIXABLE_LENGTH = 20


def max_typos(length: int) -> int:
    """How many edits we tolerate for a word of this length: none for tiny (or absurdly long) words."""
    if length <= 2 or length > MAX_FIXABLE_LENGTH:
        return 0
    if length <= 7:
        return 1
    return 2


class TypoFixer:
    """Corrects unknown words to known ones (symmetric-delete index, verified by edit distance).

    `counts` gives how common each known word is; ties go to the commoner word.
    Three-letter words are only corrected towards `short_targets` (e.g. 'bak' -> 'back'),
    because short words have too many near neighbours. `real_words` are left alone.
    """

    def __init__(self, counts: dict[str, int], short_targets: Iterable[str] = (), real_words: Iterable[str] = ()):
        self.known = dict(counts)
        self.known_stems = {stem(w) for w in self.known}
        # Real words of the language that the bot's own vocabulary lacks: left as typed, never
        # corrected and never a correction ("mild" stays mild, not "mid").
        self.real_words = frozenset(real_words)
        self.short_targets = set(short_targets)
        self._index: dict[str, list[str]] = {}
        for word in self.known:
            if len(word) < 3 or not word.isalpha():
                continue
            for key in _deletes(word, max_typos(len(word))):
                self._index.setdefault(key, []).append(word)
        self._cache: dict[str, str] = {}
        self._cheap_cache: dict[str, str] = {}

    def is_known(self, word: str) -> bool:
        return word in self.known or word in self.real_words or stem(word) in self.known_stems

    def fix(self, word: str, cheap: bool = False) -> str:
        """The word itself if known (or not fixable), else its closest known neighbour.

        `cheap` allows one edit at most, for the far end of very long messages.
        """
        cache = self._cheap_cache if cheap else self._cache
        hit = cache.get(word)
        if hit is not None:
            return hit
        result = word
        if not self.is_known(word) and word.isalpha():
            # A dropped g ("liftin", "gettin", "spasmin") is how people talk, not a typo: the
            # -ing word, when it is a word, is meant (edit distance alone might pick "lift in").
            dropped = word + "g" if len(word) >= 4 and word.endswith("in") else ""
            if dropped and self.is_known(dropped):
                result = dropped
            else:
                result = self._closest(word, 1 if cheap else 2) or word
        if len(cache) < 50_000:
            cache[word] = result
        return result

    def _closest(self, word: str, most: int = 2) -> str | None:
        limit = min(most, max_typos(len(word)))
        if limit == 0:
            return None
        candidates: set[str] = set()
        for key in _deletes(word, limit):
            candidates.update(self._index.get(key, ()))
        best: tuple[int, int, str] | None = None
        for cand in candidates:
            if len(word) == 3 and cand not in self.short_targets:
                continue
            # People rarely mistype the first letter; requiring it keeps real words such as
            # "rock" or "ring" from turning into "lock" or "bring". A swap of the first two is fine.
            if cand[0] != word[0] and cand[:2] != word[1::-1]:
                continue
            allowed = min(limit, max_typos(len(cand)))
            dist = edit_distance(word, cand, allowed)
            if dist > allowed:
                continue
            # One wrong letter in a short word must be a slip of the finger ("spazm") or of the
            # ear ("sciatika"); otherwise it is more likely a different word ("grab" is not "gray").
            swap = _one_substitution(word, cand) if len(word) <= 7 else None
            if swap and not plausible_swap(*swap):
                continue
            # Prefer: fewer edits, then the commoner word.
            rank = (dist, -self.known[cand], cand)
            if best is None or rank < best:
                best = rank
        return best[2] if best else None


class Token(NamedTuple):
    """One word of a message. A named tuple: the engine makes one per word of every example
    question at start-up, and a frozen dataclass costs twice as much to build."""

    word: str  # the folded word, after typo correction
    stem: str
    clause: int  # sentence/clause number, for negation scope
    typed: str = ""  # the word as typed, when typo correction changed it

    @property
    def fixed(self) -> bool:
        return bool(self.typed)


class Normaliser:
    """Turns text into stemmed tokens, fixing typos against a fixed vocabulary."""

    def __init__(self, fixer: TypoFixer):
        self.fixer = fixer

    def tokens(self, text: str, limit: int | None = None, careful: int = 150) -> list[Token]:
        """Tokens of `text` (the first `limit` words, if given). Past the first `careful` words,
        typo fixing allows one edit only, so a huge message stays cheap."""
        return [
            Token(fixed, stem(fixed), clause, word if fixed != word else "")
            for word, fixed, clause in self._fixed(text, limit, careful)
        ]

    def stems(self, text: str, careful: int = 150) -> list[str]:
        """The stems of `tokens(text)`, without building tokens: the engine reads thousands of
        example messages at start-up."""
        return [stem(fixed) for _, fixed, _ in self._fixed(text, None, careful)]

    def _fixed(self, text: str, limit: int | None, careful: int) -> Iterator[tuple[str, str, int]]:
        """(word as typed, word after typo fixing, clause number) for each word of `text`."""
        fix = self.fixer.fix
        for n, (word, clause) in enumerate(words(text, limit)):
            yield word, fix(word, cheap=n >= careful), clause




# --- the lexicon (content/lexicon.toml) --------------------------------------------------------

Phrase = tuple[str, ...]  # stems; "*" matches any one word, "#" any number ("6", "six", "few")
WILDCARD = "*"
NUMBER = "#"
NUMBER_WORDS = frozenset(
    stem(w) for w in "one two three four five six seven eight nine ten eleven twelve few couple several".split()
)


def _matches(pattern_word: str, stem_: str) -> bool:
    if pattern_word == WILDCARD:
        return True
    if pattern_word == NUMBER:
        return stem_.isdigit() or stem_ in NUMBER_WORDS
    return pattern_word == stem_


def phrase_stems(text: str) -> Phrase:
    """Stems of a phrase written by an editor, keeping * and # wildcards (no typo fixing:
    editors spell on purpose)."""
    return tuple(w if w in (WILDCARD, NUMBER) else stem(w) for w in re.findall(r"[*#]|[a-z0-9]+", fold(text)))


_editor_phrase = phrase_stems


def _check_words(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not _editor_phrase(value):
            raise ValueError(f"'{value}' has no letters or digits")
    return values


class LexiconGroup(StrictModel):
    name: str = Field(min_length=1)
    words: tuple[str, ...] = Field(min_length=1)

    _words_ok = field_validator("words")(_check_words)

    @field_validator("name")
    @classmethod
    def _name_ok(cls, name: str) -> str:
        _check_words((name,))
        return name


class LexiconPhrase(StrictModel):
    text: str = Field(min_length=1)
    means: str = ""

    @field_validator("text")
    @classmethod
    def _text_ok(cls, text: str) -> str:
        phrase = _editor_phrase(text)
        if not phrase or all(w in (WILDCARD, NUMBER) for w in phrase):
            raise ValueError(f"'{text}' needs at least one real word")
        return text


class SmalltalkLists(StrictModel):
    greeting: tuple[str, ...] = Field(min_length=1)
    thanks: tuple[str, ...] = Field(min_length=1)
    help: tuple[str, ...] = Field(min_length=1)
    goodbye: tuple[str, ...] = Field(min_length=1)
    menu: tuple[str, ...] = ()  # typed "menu", "start": show the main menu
    stop: tuple[str, ...] = ()  # typed "stop", "cancel": what /cancel does
    ack: tuple[str, ...] = ()  # "ok", "got it", "cool": a one-line nod, no menu
    filler: tuple[str, ...] = ()

    _words_ok = field_validator("greeting", "thanks", "help", "goodbye", "menu", "stop", "ack", "filler")(_check_words)


class FramingLists(StrictModel):
    """How a message is put: a story of what happened, or a request for advice."""

    story: tuple[str, ...] = ()
    story_categories: tuple[str, ...] = ()
    past_tense_not_story: tuple[str, ...] = ()  # -ed words that describe a state, not an event
    advice: tuple[str, ...] = ()
    advice_categories: tuple[str, ...] = ()
    cause: tuple[str, ...] = ()  # asks what caused it: the story categories, whatever else is said
    cause_topics: tuple[str, ...] = ()  # topics of other categories that also name a cause

    _words_ok = field_validator("story", "advice", "past_tense_not_story", "cause")(_check_words)


class ScopeLists(StrictModel):
    """What a message is about when it is not a human back (lexicon.toml [scope])."""

    body_parts: tuple[str, ...] = ()  # other parts of the body: "for a knee problem ask a pharmacist or GP"
    animals: tuple[str, ...] = ()  # a pet's or farm animal's back: "a vet is the one to ask"
    return_words: tuple[str, ...] = ()  # before "back", it means return: "come back", "call me back"
    thing_words: tuple[str, ...] = ()  # after "back", it is part of a thing: "back seat", "back of the car"
    owner_words: tuple[str, ...] = ()  # before "back", it is a body: "my back", "lower back", "bad back"
    acute: tuple[str, ...] = ()  # a back that has just gone: "my back went", "locked up", "seized"
    acute_now: tuple[str, ...] = ()  # ... and it is happening now: "just", "rn", "help", "what do i do"
    recurring: tuple[str, ...] = ()  # ... unless it keeps happening: "keeps seizing", "after every game"
    part_troubles: tuple[str, ...] = ()  # next to another body part, it is that part that is the trouble
    skin: tuple[str, ...] = ()  # the skin of the back ("sunburnt", "a mole on my back"): a skin problem

    _words_ok = field_validator(
        "body_parts", "animals", "return_words", "thing_words", "owner_words", "acute", "acute_now", "recurring", "part_troubles", "skin"
    )(_check_words)


@dataclass(frozen=True)
class Scope:
    """lexicon.toml [scope], compiled to stems; display words keep the editor's spelling."""

    body_parts: tuple[tuple[Phrase, str], ...] = ()
    animals: tuple[tuple[Phrase, str], ...] = ()
    return_words: frozenset[str] = frozenset()
    thing_words: frozenset[str] = frozenset()
    owner_words: frozenset[str] = frozenset()
    acute: tuple[Phrase, ...] = ()
    acute_now: tuple[Phrase, ...] = ()
    recurring: tuple[Phrase, ...] = ()
    part_troubles: frozenset[str] = frozenset()
    skin: tuple[Phrase, ...] = ()

    @classmethod
    def from_model(cls, model: ScopeLists) -> "Scope":
        return cls(
            body_parts=tuple((_editor_phrase(w), w) for w in model.body_parts),
            animals=tuple((_editor_phrase(w), w) for w in model.animals),
            return_words=frozenset(stem(w) for w in model.return_words),
            thing_words=frozenset(stem(w) for w in model.thing_words),
            owner_words=frozenset(stem(w) for w in model.owner_words),
            acute=tuple(_editor_phrase(p) for p in model.acute),
            acute_now=tuple(_editor_phrase(p) for p in model.acute_now),
            recurring=tuple(_editor_phrase(p) for p in model.recurring),
            part_troubles=frozenset(stem(w) for w in model.part_troubles),
            skin=tuple(_editor_phrase(p) for p in model.skin),
        )


class LexiconFile(StrictModel):
    general_topic: str = ""
    cause_topic: str = ""
    acute_topic: str = ""
    question_openers: tuple[str, ...] = ()
    standalone_groups: tuple[str, ...] = ()
    stopwords: tuple[str, ...] = ()
    common_words: tuple[str, ...] = ()
    anchors: tuple[str, ...] = Field(min_length=1)
    other_topics: tuple[str, ...] = ()
    group: tuple[LexiconGroup, ...] = ()
    phrase: tuple[LexiconPhrase, ...] = ()
    framing: FramingLists = FramingLists()
    scope: ScopeLists = ScopeLists()
    other_languages: tuple[str, ...] = ()
    smalltalk: SmalltalkLists

    _words_ok = field_validator("stopwords", "question_openers", "common_words", "anchors", "other_topics")(_check_words)


SMALLTALK_LEVELS = ("stop", "menu", "thanks", "goodbye", "help", "greeting", "ack")  # priority when several match


@dataclass(frozen=True)
class Framing:
    """lexicon.toml [framing], compiled: which wording marks a story and which asks for advice."""

    story: tuple[Phrase, ...] = ()
    story_categories: frozenset[str] = frozenset()
    not_story: frozenset[str] = frozenset()  # folded -ed words that are states, not events
    advice: tuple[Phrase, ...] = ()
    advice_categories: frozenset[str] = frozenset()
    cause: tuple[Phrase, ...] = ()
    cause_topics: frozenset[str] = frozenset()

    @classmethod
    def from_model(cls, model: FramingLists) -> "Framing":
        return cls(
            story=tuple(_editor_phrase(p) for p in model.story),
            story_categories=frozenset(model.story_categories),
            not_story=frozenset(fold(w) for w in model.past_tense_not_story),
            advice=tuple(_editor_phrase(p) for p in model.advice),
            advice_categories=frozenset(model.advice_categories),
            cause=tuple(_editor_phrase(p) for p in model.cause),
            cause_topics=frozenset(model.cause_topics),
        )


@dataclass(frozen=True)
class Lexicon:
    """lexicon.toml, compiled into stem-level lookups."""

    general_topic: str  # topic for a message that only names the subject ("back spasm"), or ""
    cause_topic: str  # topic for a message that only asks what causes it ("what causes them"), or ""
    acute_topic: str  # topic answered first when a back has just gone ("my back just went, help"), or ""
    openers: frozenset[str]  # words that start a new question after "and" / "also"
    standalone: frozenset[str]  # group names whose words are a whole question alone ("golf?", "ibuprofen")
    stopwords: frozenset[str]
    common: frozenset[str]  # stems of everyday words that are not about backs
    anchors: tuple[Phrase, ...]
    other_topics: tuple[Phrase, ...]
    groups: dict[str, tuple[str, ...]]  # one stem -> group names it belongs to
    group_phrases: tuple[tuple[Phrase, str], ...]  # multi-word member -> group name
    rewrites: tuple[tuple[Phrase, Phrase], ...]  # phrase -> replacement stems
    smalltalk: dict[str, tuple[Phrase, ...]]
    framing: Framing
    scope: Scope
    foreign: frozenset[str]  # everyday words of other languages ("und", "por", "est"), folded
    filler: frozenset[str]
    words: frozenset[str]  # every plain word in the file, for the typo fixer

    @classmethod
    def from_model(cls, model: LexiconFile) -> "Lexicon":
        groups: dict[str, list[str]] = {}
        group_phrases: list[tuple[Phrase, str]] = []
        for group in model.group:
            name = "_".join(_editor_phrase(group.name))
            for member in group.words:
                phrase = _editor_phrase(member)
                if len(phrase) == 1:
                    if name not in groups.setdefault(phrase[0], []):
                        groups[phrase[0]].append(name)
                else:
                    group_phrases.append((phrase, name))
        rewrites = tuple(
            (_editor_phrase(p.text), tuple(w for w in _editor_phrase(p.means) if w not in (WILDCARD, NUMBER)))
            for p in model.phrase
        )
        smalltalk = {
            level: tuple(_editor_phrase(p) for p in getattr(model.smalltalk, level)) for level in SMALLTALK_LEVELS
        }
        plain: set[str] = set()
        for text in _all_strings(model):
            plain.update(w for w, _ in words(text))
        return cls(
            general_topic=model.general_topic,
            cause_topic=model.cause_topic,
            acute_topic=model.acute_topic,
            openers=frozenset(stem(w) for w in model.question_openers),
            standalone=frozenset("_".join(_editor_phrase(g)) for g in model.standalone_groups),
            stopwords=frozenset(stem(w) for w in model.stopwords),
            common=frozenset(stem(w) for c in model.common_words for w, _ in words(c)),
            anchors=tuple(_editor_phrase(a) for a in model.anchors),
            other_topics=tuple(_editor_phrase(a) for a in model.other_topics),
            groups={k: tuple(v) for k, v in groups.items()},
            group_phrases=tuple(group_phrases),
            rewrites=rewrites,
            smalltalk=smalltalk,
            framing=Framing.from_model(model.framing),
            scope=Scope.from_model(model.scope),
            foreign=frozenset(w for text in model.other_languages for w, _ in words(text)),
            filler=frozenset(stem(w) for f in model.smalltalk.filler for w, _ in words(f)),
            words=frozenset(plain),
        )


def _all_strings(model: LexiconFile) -> list[str]:
    out = list(model.stopwords) + list(model.question_openers) + list(model.common_words) + list(model.anchors) + list(model.other_topics)
    for group in model.group:
        out += [group.name, *group.words]
    for phrase in model.phrase:
        out += [phrase.text.replace("*", " ").replace("#", " "), phrase.means]
    fr = model.framing
    out += [p.replace("*", " ") for p in (*fr.story, *fr.advice, *fr.past_tense_not_story)]
    sc = model.scope
    out += [*sc.body_parts, *sc.animals, *sc.return_words, *sc.thing_words, *sc.owner_words, *sc.acute, *sc.acute_now, *sc.recurring, *sc.part_troubles]
    st = model.smalltalk
    out += [*st.greeting, *st.thanks, *st.help, *st.goodbye, *st.menu, *st.stop, *st.ack, *st.filler]
    return out


def load_lexicon(path: Path | str | None = None) -> Lexicon:
    """Read and check lexicon.toml; problems raise ContentError naming the file and field."""
    path = Path(path) if path else DEFAULT_CONTENT_DIR / "lexicon.toml"
    return Lexicon.from_model(load_one(path, LexiconFile))


def find_phrase(stems: list[str], phrase: Phrase, start: int) -> bool:
    """Does `phrase` (with * and # wildcards) match `stems` at `start`?"""
    if start + len(phrase) > len(stems):
        return False
    return all(_matches(p, stems[start + i]) for i, p in enumerate(phrase))


P = TypeVar("P")  # what a PhraseIndex hands back with each phrase found


class PhraseIndex(Generic[P]):
    """Finds many phrases in a stem list quickly, by indexing them on their first word."""

    def __init__(self, phrases: Iterable[tuple[Phrase, P]]):
        self.by_first: dict[str, list[tuple[Phrase, P]]] = {}
        self.wild_first: list[tuple[Phrase, P]] = []  # "* * weeks" : tried everywhere
        self.number_first: list[tuple[Phrase, P]] = []  # "# # ...": tried only at a number
        # "* weeks", "# days": a wildcard, then a word; tried only where that word comes next.
        self.wild_second: dict[str, list[tuple[Phrase, P]]] = {}
        self.number_second: dict[str, list[tuple[Phrase, P]]] = {}
        self.single: dict[str, list[P]] = {}
        for phrase, payload in phrases:
            if not phrase:
                continue
            if phrase[0] in (WILDCARD, NUMBER):
                second = phrase[1] if len(phrase) > 1 and phrase[1] not in (WILDCARD, NUMBER) else ""
                if second:
                    by_second = self.wild_second if phrase[0] == WILDCARD else self.number_second
                    by_second.setdefault(second, []).append((phrase, payload))
                else:
                    (self.wild_first if phrase[0] == WILDCARD else self.number_first).append((phrase, payload))
            else:
                self.by_first.setdefault(phrase[0], []).append((phrase, payload))
        self._seconds = frozenset(self.wild_second) | frozenset(self.number_second)
        self._anywhere = bool(self.wild_first or self.number_first)
        # By first AND second word too: "my" starts hundreds of phrases, and trying each one at
        # every "my" was a good part of the answer time. (Original order kept for equal lengths.)
        self._by_pair: dict[tuple[str, str], list[tuple[int, Phrase, P]]] = {}
        self._by_first_loose: dict[str, list[tuple[int, Phrase, P]]] = {}
        for first, entries in self.by_first.items():
            for order, (phrase, payload) in enumerate(entries):
                if len(phrase) > 1 and phrase[1] not in (WILDCARD, NUMBER):
                    self._by_pair.setdefault((first, phrase[1]), []).append((order, phrase, payload))
                else:
                    self._by_first_loose.setdefault(first, []).append((order, phrase, payload))

    def _may_start(self, stems: list[str], i: int) -> bool:
        return (
            self._anywhere or stems[i] in self.by_first
            or (i + 1 < len(stems) and stems[i + 1] in self._seconds)
        )

    def at(self, stems: list[str], i: int) -> list[tuple[Phrase, P]]:
        """Phrases matching at position i, longest first."""
        word = stems[i]
        found: list[tuple[Phrase, P]] = []
        if word in self.by_first:
            candidates = list(self._by_first_loose.get(word, ()))
            if i + 1 < len(stems):
                candidates += self._by_pair.get((word, stems[i + 1]), ())
            if len(candidates) > 1:
                candidates.sort(key=lambda c: c[0])
            found = [(p, x) for _, p, x in candidates if find_phrase(stems, p, i)]
        if i + 1 < len(stems) and stems[i + 1] in self._seconds:
            found += [(p, x) for p, x in self.wild_second.get(stems[i + 1], ()) if find_phrase(stems, p, i)]
            numbered = self.number_second.get(stems[i + 1])
            if numbered and _matches(NUMBER, stems[i]):
                found += [(p, x) for p, x in numbered if find_phrase(stems, p, i)]
        if self.number_first and _matches(NUMBER, stems[i]):
            found += [(p, x) for p, x in self.number_first if find_phrase(stems, p, i)]
        if self.wild_first:
            found += [(p, x) for p, x in self.wild_first if find_phrase(stems, p, i)]
        if len(found) > 1:
            found.sort(key=lambda px: -len(px[0]))
        return found

    def find_all(self, stems: list[str]) -> list[tuple[int, Phrase, P]]:
        """Every (start, phrase, payload) match, overlapping allowed."""
        out = []
        # Only positions holding a first word, or followed by a wildcard phrase's second, can match.
        for i in range(len(stems)):
            if self._may_start(stems, i):
                for p, x in self.at(stems, i):
                    out.append((i, p, x))
        return out

    def rewrite(self: PhraseIndex[Phrase], stems: list[str]) -> list[str]:
        """Replace phrases (payload = replacement stems) left to right, longest match first."""
        out: list[str] = []
        i = 0
        while i < len(stems):
            hits = self.at(stems, i) if self._may_start(stems, i) else []
            if hits:
                phrase, means = hits[0]
                out.extend(means)
                i += len(phrase)
            else:
                out.append(stems[i])
                i += 1
        return out

def read_word_list(path: Path) -> frozenset[str]:
    """One word per line; lines starting with # are notes."""
    with path.open(encoding="utf-8") as fh:
        return frozenset(w for w in (line.strip() for line in fh) if w and not w.startswith("#"))
