"""Is a message about a human back? And has that back just gone?

"back" is also a direction ("call me back"), part of a thing ("the back seat") and an animal's
("my dog's back legs"); a "neck cramp" is a spasm but not ours to answer. Reading which sense is
meant from the words around "back" covers a whole class of messages that a list of off-topic
phrases never would. The word lists live in content/lexicon.toml [scope].
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.text import PhraseIndex, Scope, stem

ACUTE_AFTER_BACK = frozenset({"go", "give"})  # "my back (has just) gone / went / gave out", not "go away"
FIRST_PERSON = frozenset({"my", "me", "mi", "i"})
SKIN = "skin"  # the part named when the message is about the skin of the back
# After "back", these make it a return ("back to work", "back in the gym", "back again").
RETURN_AFTER = frozenset({
    "to", "up", "home", "then", "again", "later", "soon", "in", "on", "at", "from", "into", "around",
    "round", "and", "forth", "together", "tomorrow", "tonight",
})
# Objects of a return word ("call ME back", "send IT back"). Not "my": "get my back looked at".
PRONOUNS = frozenset({"me", "it", "him", "her", "them", "us", "you", "that", "this"})
# Before "back", a subject or "be" makes it a return or a verb: "I'm back", "are you back",
# "the spasm is back", "should I back Ireland".
SUBJECT_BEFORE = frozenset({"i", "you", "we", "they", "he", "she", "are", "am", "is", "were"})
BACK_AND_NOT_BODY = frozenset({"forth", "forward", "front"})  # stems ("forwards" -> "forward")
PAIN_AFTER_IN = frozenset({"spasm", "agon", "pain", "bit", "knot", "tatter"})  # stems
GENERIC_ASKS = frozenset({"why"})  # "why does ...": a question about spasms in general ("how do I ..." asks for help)
GENERIC_VERBS = frozenset({"does", "do", "doe"})
PLACE_WORDS = frozenset({"between", "under", "underneath"})  # "a pillow between my knees"
# "Carrying my toddler ON one hip": the part is where a load is carried.
CARRY_WORDS = frozenset(stem(w) for w in ("carry", "hold", "held", "balance", "perch", "sling", "slung", "lug"))
PLACE_DETERMINERS = frozenset({"a", "an", "the", "my", "your", "his", "her", "our", "their", "both"})  # "between MY knees", "at A desk"
POSITION_AFTER = frozenset({"up", "bent", "raised", "tucked", "together", "apart"})  # "lying with my knees up"
# A part said to be fine ("no fever, legs ok, but sneezing kills") is not what the message is about.
DENIALS = frozenset({"no", "not", "nothing", "none", "nae"})
FINE_AFTER = frozenset({"ok", "okay", "fine", "good", "normal", "alright", "grand", "strong", "unaffect"})
FINE_LINKS = frozenset({"is", "are", "feel", "seem", "still", "both", "all", "total", "complet", "perfect", "absolut"})  # stems


@dataclass(frozen=True)
class Subject:
    """What the message is about, as far as the back is concerned."""

    back: bool  # a human back (or spine, lumbar ...) is named in the body sense
    part: str = ""  # another body part named, in the editor's word ("knee"), if any
    animal: str = ""  # an animal named, if any
    acute: bool = False  # a back that has just gone, now
    gone: bool = False  # a back that has gone, said with no "now" ("help, back gone"), not again and again
    sore_part: bool = False  # the other part is what hurts: "my knee hurts", "pain in my hip"


class ScopeReader:
    def __init__(self, scope: Scope, back_words: list[tuple[str, ...]], body_next: frozenset[str] = frozenset()):
        self.scope = scope
        self.body_next = body_next  # words that make the "back" before them a body ("pain", "spasm")
        self._troubles = body_next | scope.part_troubles  # near another part: that part is the trouble
        self._parts = PhraseIndex(scope.body_parts)
        self._animals = PhraseIndex(scope.animals)
        self._back = PhraseIndex((w, True) for w in back_words)
        self._acute = PhraseIndex((p, True) for p in scope.acute)
        self._now = PhraseIndex((p, True) for p in scope.acute_now)
        self._recurring = PhraseIndex((p, True) for p in scope.recurring)
        self._skin = PhraseIndex((p, True) for p in scope.skin)

    def back_is_body(self, stems: list[str], k: int) -> bool:
        """Is stems[k] ("back") the body, judging by its neighbours?"""
        sc = self.scope
        nxt = stems[k + 1] if k + 1 < len(stems) else ""
        if nxt in self.body_next:
            return True  # "back pain", "back spasms", "get back ache"
        prev = stems[k - 1] if k >= 1 else ""
        if prev in PRONOUNS and k >= 2 and stems[k - 2] in sc.return_words:
            return False  # "call me back", "send it back"
        if prev in sc.owner_words:
            return True
        if prev in SUBJECT_BEFORE or (prev == "to" and k >= 2 and stems[k - 2] == "back"):
            return False  # "I'm back", "back to back matches"
        if prev == "for" and nxt not in sc.thing_words:
            return True  # "exercises for back", "go to A&E for back"; not "for back pay"
        # "Back is sore as", "back has been killing me": the back said to hurt, as a clause's
        # subject ("can't get warm, back is sore"), unless right after a return word ("the pain
        # came back, is it arthritis").
        if nxt in SAID_OF_BACK and prev not in sc.return_words and any(w in self._troubles for w in stems[k + 2 : k + 6]):
            return True
        # "come back", "send the shoes back": a return word up to three words before, with no
        # owner ("my", "lower") in between.
        if any(w in sc.return_words for w in stems[max(0, k - 3) : k]):
            return False
        if nxt in ("in", "into") and k + 2 < len(stems) and stems[k + 2] in PAIN_AFTER_IN:
            return True  # "back in spasm", "back in agony", "back in bits"; not "back in 2019"
        if nxt == "and":
            # "in bits with the back and I'm roasting", "back and neck pain"; not "back and forth",
            # "rocking back and forwards", "the back and front of my car".
            return (stems[k + 2] if k + 2 < len(stems) else "") not in BACK_AND_NOT_BODY
        return nxt not in sc.thing_words

    def thing_part(self, stems: list[str], k: int) -> bool:
        """Is stems[k] ("back") part of a thing: "the back SEAT", "back OF the fridge"? (Not
        "back to work" or "back again": those are a return.)"""
        nxt = stems[k + 1] if k + 1 < len(stems) else ""
        return nxt in self.scope.thing_words and nxt not in RETURN_AFTER

    def body_senses(self, stems: list[str]) -> list[int]:
        """Positions of back words meant as the body."""
        out = []
        for start, phrase, _ in self._back.find_all(stems):
            if len(phrase) == 1 and phrase[0] == "back" and not self.back_is_body(stems, start):
                continue
            out.append(start)
        return out

    @staticmethod
    def _a_place(stems: list[str], start: int) -> bool:
        """Is the part at `start` only where something is put ("a pillow BETWEEN my knees", "a lump
        UNDER my shoulder blade") or carried ("carrying my toddler ON one hip"), not what the
        message is about?"""
        before = word_before(stems, start, PLACE_DETERMINERS | {"one"}, reach=2)
        if before == "on" and any(w in CARRY_WORDS for w in stems[max(0, start - 8) : start]):
            return True
        return word_before(stems, start, PLACE_DETERMINERS) in PLACE_WORDS

    @staticmethod
    def _a_position(stems: list[str], after: int) -> bool:
        """Does the part that ends before `after` say how someone lies or sits ("lying flat, KNEES
        UP", "feet up on a stool"), not what hurts?"""
        return after < len(stems) and stems[after] in POSITION_AFTER

    @staticmethod
    def _said_fine(stems: list[str], after: int) -> bool:
        """Is the part that ends before `after` said to be fine ("legs ok", "knees are all fine")?"""
        for w in stems[after : after + 4]:
            if w in FINE_AFTER:
                return True
            if w not in FINE_LINKS:
                return False
        return False

    def read(self, stems: list[str], raw: list[str] | None = None) -> Subject:
        """`stems` after the lexicon's rewrites; `raw` before them (the acute phrases are
        written in people's words: "threw my back out")."""
        raw = stems if raw is None else raw
        if self._skin.find_all(stems):
            # "Sunburnt my back", "a mole on my back that looks odd": the back's skin, not its
            # muscles: a skin problem, for a pharmacist or GP.
            return Subject(back=False, part=SKIN, sore_part=True)
        backs = self.body_senses(stems)
        # A part said fine in a list of denials ("no fever, legs ok, but ...") is not the subject;
        # "my hip is fine in the morning but sore at night" still is.
        checklist = any(s in DENIALS for s in stems)
        parts = [
            p for p in self._parts.find_all(stems)
            if not (checklist and self._said_fine(stems, p[0] + len(p[1])))
            and not self._a_place(stems, p[0]) and not self._a_position(stems, p[0] + len(p[1]))
        ]
        animals = [a for a in self._animals.find_all(stems) if not _a_likeness(stems, a[0]) and not _a_chore(stems, a[0])]
        part = str(parts[0][2]) if parts else ""
        animal = ""
        if animals:
            # "I hurt my back walking the dog", "back went picking up the dog bowl": the person's
            # own back (theirs, or nobody else's before it). "My dog's back", "my cat hurt her back",
            # "my dog slipped a disc": the animal's.
            own = any(k == 0 or stems[k - 1] in FIRST_PERSON for k in backs)
            first_back = min(backs) if backs else len(stems)
            animal = "" if own or animals[0][0] > first_back else str(animals[0][2])
        event = bool(self._acute.find_all(raw)) or any(
            stems[j] in ACUTE_AFTER_BACK and stems[j + 1 : j + 2] != ["away"]
            for k in backs for j in range(k + 1, min(k + 4, len(stems)))
        )
        # "Now my back keeps seizing", "after every game it locks up": spasms that come back ask
        # about their cause or their care, not what to do in the first hours.
        gone = bool(backs or not parts) and event and not self._recurring.find_all(raw)
        # "Why does the muscle just lock up like that?" asks about spasms in general, not a back
        # that has gone now ("my back just seized, why does it do that" is the writer's, now).
        generic = not any(w in FIRST_PERSON for w in raw) and any(
            a in GENERIC_ASKS and b in GENERIC_VERBS for a, b in zip(raw, raw[1:], strict=False)
        )
        acute = gone and bool(self._now.find_all(raw)) and not generic
        sore = any(
            w in self._troubles for start, phrase, _ in parts
            for w in stems[max(0, start - 3) : start] + stems[start + len(phrase) : start + len(phrase) + 4]
        )
        return Subject(back=bool(backs), part=part, animal=animal, acute=acute, gone=gone, sore_part=sore)


SAID_OF_BACK = frozenset({"is", "has", "was", "been", "feel", "keep", "still", "are"})  # stems
LIKENESS_SKIP = frozenset({"a", "an", "charli", "charley"})  # "like A dog", "like a CHARLIE horse"


def word_before(stems: list[str], start: int, skip: frozenset[str], reach: int = 1) -> str:
    """The word before `start`, past at most `reach` words of `skip` ("between MY knees" gives
    "between"); "" at the start of the message."""
    j = start - 1
    while j >= 0 and start - j <= reach and stems[j] in skip:
        j -= 1
    return stems[j] if j >= 0 else ""


SITTING_PLACE = frozenset({"at", "over", "behind"})  # "sit AT my computer", "hunched OVER a laptop"


def where_one_sits(stems: list[str], k: int) -> bool:
    """Is the thing at k where someone sits or works ("how to sit AT A computer", "hunched over
    my laptop"), not what the message is about ("my laptop won't start")?"""
    return word_before(stems, k, PLACE_DETERMINERS) in SITTING_PLACE


# Verbs of looking after an animal ("walk the dog", "lift the cat"): the animal is what the person
# does something with, not what the message is about ("is it ok to walk the dog with a bad back").
CHORES = frozenset(stem(w) for w in ("walk", "feed", "lift", "carry", "bath", "wash", "groom", "brush", "exercise", "hold", "muck"))


def _a_chore(stems: list[str], start: int) -> bool:
    """Is the animal at `start` the one a chore is done with ("walking THE DOG"), not the subject?"""
    return word_before(stems, start, PLACE_DETERMINERS, reach=2) in CHORES


def _a_likeness(stems: list[str], start: int) -> bool:
    """Is the animal at `start` in a comparison ("feels like a dog gnawing at it", "like a charlie
    horse in my back"), not an animal the message is about?"""
    return word_before(stems, start, LIKENESS_SKIP, reach=3) == "like"
