"""Warning signs recognised by likeness to messages people wrote, where no rule matched.

The rules in redflags.toml know the words of each sign; people keep finding new ones ("neither
leg will hold him", "around bra strap level"). So a message no rule caught is also compared
with example messages, each labelled with its sign or with "none" (ordinary back-spasm messages,
including ones that mention the toilet, legs, night or a fall, and other people's or animals'
backs). The examples are blind-written messages (content/redflag_examples.tsv, see its header).

Comparison: tf-idf over word stems and adjacent stem pairs, cosine similarity, the nearest
NEIGHBOURS examples. A vote for a sign needs the nearest example to be of that sign (at least
LIKELY_TOP alike), LIKELY_VOTES of the neighbours above LIKELY_SIMILARITY, and more weight than
the "none" neighbours; it asks the sign's safety question (Yes gives the urgent reply, No the
answer). It never gives the urgent reply by itself: likeness of words cannot tell "my right leg
is numb" from "my left and right legs are numb", and a false alarm costs trust. Thresholds were
set on blind round 9's development part and the labelled questions only (see bench/redflags.py).
"""

from __future__ import annotations

import csv
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

NONE = "none"
NEIGHBOURS = 7
LIKELY_SIMILARITY = 0.2
LIKELY_VOTES = 2
LIKELY_TOP = 0.3  # the nearest example must be of that sign, and this close
NONE_SHARE = 0.8  # a likely sign must outweigh the "none" neighbours by this much
COMMON_SHARE = 0.06  # stems in more than this share of the examples ("back", "pain", "leg") carry no weight
TELLING_SHARE = 0.05  # a message needs TELLING words rarer than this ("back pain" alone has none)
TELLING = 2
SIGN_SHARE = 0.6  # ... and at least this share of the examples with that word are about a sign


_LOG = [0.0] + [math.log(c) for c in range(1, 64)]  # log of a small count, looked up


class FlagExamples:
    """Nearest labelled examples of a message, as a vote for a warning sign."""

    def __init__(self, examples: Iterable[tuple[str, str]], features: Callable[[str], list[str]]):
        self._features = features
        # Two passes over the examples' stems, so no per-example counter is held between them:
        # what the build holds at its peak stays in the bot's memory for good.
        stems_of = [(label, features(text)) for label, text in examples]
        self.labels = [label for label, _ in stems_of]
        n = max(1, len(stems_of))
        df: Counter[str] = Counter()
        signs: Counter[str] = Counter()
        for label, stems in stems_of:
            terms = set(_with_pairs(stems))
            df.update(terms)
            if label != NONE:
                signs.update(terms)
        self._idf = {t: math.log(n / (1 + d)) for t, d in df.items() if d <= max(COMMON_SHARE * n, 3)}
        # Telling words are rare AND mostly said about a sign: "numb", "wipe", "bra"; not "day",
        # "week" or "really", which are rare too but as common in ordinary messages.
        self._telling = {
            t for t, d in df.items()
            if d <= max(TELLING_SHARE * n, 3) and "_" not in t and signs[t] >= SIGN_SHARE * d
        }
        del df, signs
        # Per term, the examples holding it and its weight there, as one pair of typed arrays for
        # all terms and each term's slice of them: an array per term cost more in object headers
        # than its numbers (and lists of (id, weight) tuples took about 20 MB).
        # Two passes again (count, then fill), so no per-term list is held while building.
        idf = self._idf
        counts: Counter[str] = Counter()
        for _, stems in stems_of:
            counts.update(t for t in set(_with_pairs(stems)) if t in idf)
        self._spans: dict[str, tuple[int, int]] = {}
        total = 0
        for term, c in counts.items():
            self._spans[term] = (total, total + c)
            total += c
        del counts
        self._ids = array("I", bytes(4 * total))
        self._weights = array("d", bytes(8 * total))
        fill = {t: start for t, (start, _) in self._spans.items()}
        for i, (_, stems) in enumerate(stems_of):
            for term, weight in _weights(Counter(_with_pairs(stems)), idf):
                k = fill[term]
                self._ids[k], self._weights[k] = i, weight
                fill[term] = k + 1
        del fill

    def __len__(self) -> int:
        return len(self.labels)

    def nearest(self, stems: list[str]) -> list[tuple[str, float]]:
        """(label, similarity) of the nearest examples, most similar first."""
        scores: dict[int, float] = defaultdict(float)
        ids, weights, spans = self._ids, self._weights, self._spans
        for term, weight in _weights(Counter(_with_pairs(stems)), self._idf):
            span = spans.get(term)
            if span is not None:
                for k in range(*span):
                    scores[ids[k]] += weight * weights[k]
        top = sorted(scores.items(), key=lambda p: (-p[1], p[0]))[:NEIGHBOURS]
        return [(self.labels[i], s) for i, s in top]

    def vote(self, stems: list[str]) -> str | None:
        """The sign whose safety question to ask, or None."""
        if len(set(stems) & self._telling) < TELLING:
            return None
        near = self.nearest(stems)
        weights: dict[str, float] = defaultdict(float)
        for label, s in near:
            if s >= LIKELY_SIMILARITY:
                weights[label] += s
        signs = sorted(((label, w) for label, w in weights.items() if label != NONE), key=lambda p: -p[1])
        if not signs:
            return None
        flag, weight = signs[0]
        votes = sum(1 for label, s in near if label == flag and s >= LIKELY_SIMILARITY)
        if votes < LIKELY_VOTES or weights.get(NONE, 0.0) > weight * NONE_SHARE:
            return None
        if near[0][0] != flag or near[0][1] < LIKELY_TOP:
            return None  # the nearest example is ordinary, or nothing is really close
        return flag


def _weights(counts: Counter[str], idf: dict[str, float]) -> list[tuple[str, float]]:
    """The tf-idf vector of an example or a message, unit length, as (term, weight) pairs."""
    raw = [(t, (1 + _LOG[c] if c < len(_LOG) else 1 + math.log(c)) * idf[t]) for t, c in counts.items() if t in idf]
    norm = math.sqrt(sum(w * w for _, w in raw)) or 1.0
    return [(t, w / norm) for t, w in raw]


def _with_pairs(stems: list[str]) -> list[str]:
    return stems + [f"{a}_{b}" for a, b in zip(stems, stems[1:], strict=False)]


def read_examples(path: Path | str) -> list[tuple[str, str]]:
    """(label, text) rows of a tab-separated file with a `label	text` header; # lines are notes."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    bad = [n for n, r in enumerate(rows, 2) if not (r.get("label") or "").strip() or not (r.get("text") or "").strip()]
    if bad:
        raise ValueError(f"{Path(path).name}: rows without a label or text: {bad[:5]}")
    return [(r["label"].strip(), r["text"].strip()) for r in rows]
