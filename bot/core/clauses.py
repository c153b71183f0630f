"""Several questions in one message: where one question ends and the next begins.

Punctuation and "but" already split a message into clauses (Token.clause). A second question
also starts at "and", "also", "plus" or "or" when the next word opens a question ("can I take
ibuprofen and should I stay in bed"). A clause with no word of its own ("what do I do?") is the
question of the clause before it, so it joins that one. The number of parts is capped, so a very
long message costs no more than a few short ones.
"""

from __future__ import annotations

from bot.core.text import Token

JOINERS = frozenset({"and", "also", "plus", "or", "n"})
# Small words that may sit between "and" and the question word: "and at what point", "and then how".
BRIDGES = frozenset({"at", "in", "for", "then", "if", "so", "after", "before", "by", "on", "from", "to"})
ALWAYS = frozenset({"also", "plus"})  # "also" starts something new whatever follows
CHOICE = frozenset({"or", "vs", "versus"})  # "brace or no brace", "bed vs walking": a question
FOLLOW_ON = JOINERS - CHOICE  # "and", "also", "plus", "n": what a question joined on opens with
CHOICE_REACH = 3  # every word of meaning of a bare choice is this close to its "or"
PERSONAL = frozenset({"i", "im", "ive", "my", "me", "it", "its", "he", "she", "his", "her"})  # a statement
MAX_PARTS = 4
BACK_REFERENCES = frozenset({"that", "this", "it", "thats", "its", "these", "those"})  # "is THAT a spasm"
# "was it the lifting", "have I torn it", "am I dehydrated": a verb before its subject asks a
# question; the same verb before anything else is a statement ("was lifting a box", "have had it
# for days"), so these open a question only with a subject after them.
INVERTED = frozenset({"was", "were", "have", "has", "am", "had", "might", "may", "must", "isnt", "wasnt"})
ASKING = frozenset({"should", "shud", "can", "could", "is", "are", "do", "does", "will", "would", "shall"})  # see _asks_inside
PRONOUNS = frozenset({"i", "it", "you", "u", "we", "they", "he", "she", "that", "this", "there"})  # ... its subjects
SUBJECTS = frozenset({"i", "it", "that", "this", "he", "she", "they", "you", "we", "thats", "there", "my", "his", "her", "the"})
TELLERS = SUBJECTS | PERSONAL  # right before a helping verb, these make it a telling ("what I can do")


def opens_question(tokens: list[Token], k: int, openers: frozenset[str]) -> bool:
    """Whether tokens[k] starts a question: a question word, or a verb put before its subject."""
    token = tokens[k]
    if token.stem in openers:
        return True
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    return token.word in INVERTED and nxt is not None and nxt.word in SUBJECTS


def question_parts(tokens: list[Token], openers: frozenset[str], informative, framed=None) -> list[list[Token]]:
    """The message cut into at most MAX_PARTS questions. `informative(token)` says whether a word
    carries meaning of its own (not a stop word or filler); `framed(part)`, whether a part made
    of small words still asks a kind of question, so that one joined on ("and how do I know")
    stays a part of its own."""
    parts: list[list[Token]] = []
    current: list[Token] = []
    last_clause = tokens[0].clause if tokens else 0
    for k, token in enumerate(tokens):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        after = tokens[k + 2] if k + 2 < len(tokens) else None
        opens = nxt is not None and (
            opens_question(tokens, k + 1, openers)
            or (nxt.word in BRIDGES and after is not None and opens_question(tokens, k + 2, openers))
        )
        starts = token.clause != last_clause or (token.word in JOINERS and current and (token.word in ALWAYS or opens))
        if starts and current:
            parts.append(current)
            current = []
        last_clause = token.clause
        current.append(token)
    if current:
        parts.append(current)
    merged: list[list[Token]] = []
    for part in parts:
        if merged and not any(informative(t) for t in part) and not (
            framed is not None and part[0].word in FOLLOW_ON and framed(part)
        ):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    if len(merged) > 1 and not any(informative(t) for t in merged[0]):
        merged[1] = merged[0] + merged[1]
        merged.pop(0)
    return merged[:MAX_PARTS]


def asked(
    parts: list[list[Token]], openers: frozenset[str], questions: frozenset[int], informative=None
) -> list[bool]:
    """Which parts ask something: ending in "?", starting with a question word or "and/also",
    followed by "also ..." ("I think I pulled a muscle. Also, ice or heat?"), or a choice between
    two things ("brace or no brace", given `informative`). A statement before the question ("I
    was gardening all weekend. Should I use ice?") is its context."""
    out = []
    for k, part in enumerate(parts):
        following = parts[k + 1] if k + 1 < len(parts) else []
        nxt = following[0].word if following else ""
        out.append(
            opens_question(part, 0, openers) or part[0].word in JOINERS or nxt in ALWAYS or any(t.clause in questions for t in part)
            or _asks_inside(part)
            or (informative is not None and _a_choice(part, informative))
            or (_joined_question(following, openers) and not any(t.word in PERSONAL for t in part))
        )
    return out


def _asks_inside(part: list[Token]) -> bool:
    """ "quick q should I stay active", "ok so can I take naproxen": a helping verb put before its
    subject asks, wherever it stands, unless a subject comes right before it ("what I can do",
    "every time I do it" tell)."""
    for k in range(1, len(part) - 1):
        if part[k].word in ASKING and part[k + 1].word in PRONOUNS and part[k - 1].word not in TELLERS:
            return True
    return False


def _joined_question(part: list[Token], openers: frozenset[str]) -> bool:
    """ "and what meds can I take": a question joined on. What comes before it, if nobody is
    telling anything ("red flags to watch for and what meds can I take"), is asked too."""
    return len(part) > 1 and part[0].word in FOLLOW_ON and opens_question(part, 1, openers)


def _a_choice(part: list[Token], informative) -> bool:
    """A bare choice, "ice or heat", "brace or no brace", "heat pack vs ice pack": words of
    meaning on both sides of "or" and no others, and nobody telling anything ("sitting or
    standing makes it worse", "I was at the gym or swimming" are statements)."""
    if any(t.word in PERSONAL for t in part):
        return False
    meaning = [k for k, t in enumerate(part) if informative(t)]
    for i, token in enumerate(part):
        if token.word not in CHOICE:
            continue
        near = [k for k in meaning if abs(k - i) <= CHOICE_REACH]
        if near == meaning and any(k < i for k in near) and any(k > i for k in near):
            return True
    return False


def choice_sides(part: list[Token], informative) -> tuple[list[Token], list[Token]] | None:
    """The two sides of "heat pack or a back belt, which is better": the words before the first
    "or" / "vs", and after it, each with a word of meaning; None if the part offers no choice."""
    i = _first_inside(part, CHOICE)
    return None if i is None else _sides(part, i, informative)


def refers_back(part: list[Token]) -> bool:
    """ "is that the cause", "could it be that": a question about what was just said, by a word
    pointing back within its first three words."""
    return any(t.word in BACK_REFERENCES for t in part[:3])


LIST_JOINERS = frozenset({"and", "n", "plus"})


def list_sides(part: list[Token], informative) -> tuple[list[Token], list[Token]] | None:
    """The two sides of "lifting tips and diet tips", "exercise n diet to stop spasms": the words
    before the first "and", and after it, each with a word of meaning, and different words
    beside it, one of them meaningful; None for a telling ("I lifted a box and my back went"), a figure of speech ("again
    and again", "in and out of bed") or no "and"."""
    i = None if any(t.word in PERSONAL for t in part) else _first_inside(part, LIST_JOINERS)
    if i is None:
        return None
    before, after = part[i - 1], part[i + 1]
    if before.stem == after.stem or not (informative(before) or informative(after)):
        return None
    return _sides(part, i, informative)


def _first_inside(part: list[Token], joiners: frozenset[str]) -> int | None:
    """Where the first of `joiners` stands with words on both sides of it, if anywhere."""
    return next((i for i, t in enumerate(part) if t.word in joiners and 0 < i < len(part) - 1), None)


def _sides(part: list[Token], i: int, informative) -> tuple[list[Token], list[Token]] | None:
    """The words before and after part[i], if each side has a word of meaning."""
    left, right = part[:i], part[i + 1 :]
    return (left, right) if any(map(informative, left)) and any(map(informative, right)) else None
