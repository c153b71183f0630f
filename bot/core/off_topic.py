"""Messages that are not ours, recognised by likeness to off-topic messages people wrote.

A message that names no back or spasm is answered only when a topic's words explain most of it,
and everyday words still fit some topic now and then: "ice cream near me" (Painkillers?), "how
long to get back from Manchester by train" (Recover carefully?). So such a message is also
compared with example messages written blind: questions we answer, and messages that were off
the subject (content/question_examples.tsv, label `none`). When its nearest examples are mostly
off-topic ones, and the nearest of all is, it is declined instead of answered.

The comparison is the red-flag example vote's (bot.core.flag_examples: tf-idf over stems and
stem pairs, cosine). The thresholds were chosen by leaving each blind set out in turn (its own
rows never among the examples): on the development parts of 16 sets, of the messages naming no
back that were answered, it declined 10 of 31 off-topic ones and none of 641 in scope. Anchored
messages ("back", "spasm") are not voted on: there it cost two in-scope answers per one gained.
A follow-up that names no back ("thanks, and what's the best hangover cure?") is, though the
engine reads it as about the back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.core.flag_examples import NONE, FlagExamples

OFF = "off"
NEAREST = 5  # neighbours weighed
NEAR_ENOUGH = 0.2  # the nearest example must be this alike
OFF_SHARE = 0.5  # ... and off-topic, with at least this share of the neighbours' similarity


class OffTopicExamples:
    def __init__(self, ours: Iterable[str], off: Iterable[str], features: Callable[[str], list[str]]):
        examples = [(NONE, text) for text in ours] + [(OFF, text) for text in off]
        self._examples = FlagExamples(examples, features)
        self._any_off = any(label == OFF for label in self._examples.labels)

    def is_off(self, stems: list[str]) -> bool:
        if not self._any_off:
            return False
        near = self._examples.nearest(stems)[:NEAREST]
        if not near or near[0][0] != OFF or near[0][1] < NEAR_ENOUGH:
            return False
        off = sum(s for label, s in near if label == OFF)
        return off >= OFF_SHARE * sum(s for _, s in near)
