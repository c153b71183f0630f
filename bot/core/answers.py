"""The free-text question engine: red flags first, then small talk, then ranked topics.

Ranking is BM25F over each topic's fields (title, keywords, synonyms, example questions, body)
plus the similarity to the closest single example, on stemmed, typo-fixed words with synonym
groups and phrases from content/lexicon.toml. A topic's multi-word keyword or synonym ("go away",
"sitting for hours") also counts as one phrase term, and its single words count only in part. The
score is then scaled by "coverage": the share of the message's informative words the topic accounts
for, and by the framing: a story of what happened ("lifted a box and now my back ...") favours the
Causes topics, a request for advice ("how do I lift ...") the Prevention and Remedies ones
(lexicon.toml [framing]). Everything that can be computed ahead is built in __init__, so answering
is a handful of dict lookups.

Decision rule (see `_decide`):
- anchored message (back, spine, spasm, ...): answer if coverage >= 0.30 and score >= 1.5; if
  it only names the subject ("back spasm") answer the lexicon's general_topic;
- otherwise: no other body part or thing named (unless a topic explains nearly all of it),
  coverage >= 0.55 (0.70 when no body word such as muscle, pain, cramp, strain is named either:
  everyday words like "eat", "drive", "heat" are weak evidence alone), score >= 3 and at least
  two words matched;
- clarify when the runner-up scores within Tuning.clarify_ratio (97 %) of the best.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core.clauses import asked, choice_sides, list_sides, question_parts, refers_back
from bot.core.content import Content, ContentError, Topic, load_content, plain_text
from bot.core.flag_examples import FlagExamples, read_examples
from bot.core.off_topic import OffTopicExamples
from bot.core.redflags import WRITER_WORDS, Check, Finding, RedFlags, load_redflags
from bot.core.scope import ScopeReader, Subject, where_one_sits
from bot.core.telegram_html import escape
from bot.core.text import (
    SMALLTALK_LEVELS,
    Lexicon,
    Normaliser,
    PhraseIndex,
    Token,
    TypoFixer,
    load_lexicon,
    question_clauses,
    read_word_list,
    stem,
    words,
)

FIELDS = ("title", "keywords", "synonyms", "questions", "body")
OFF_TOPIC_LABEL = "none"  # question_examples.tsv: a message people wrote about something else
ANY_TOPIC_LABEL = "any"  # ... one of ours that names no single topic (two questions)
NO_TOPIC_LABELS = (OFF_TOPIC_LABEL, ANY_TOPIC_LABEL)  # read by the off-topic vote only
FIELD_B = {"title": 0.3, "keywords": 0.5, "synonyms": 0.5, "questions": 0.6, "body": 0.75}
FIXED_WEIGHT = 0.7  # a typo-fixed word is slightly less sure evidence than a typed one
UNKNOWN_INFO = 2.0  # what a word no topic uses weighs when measuring coverage
COMMON_INFO = 1.0  # ... and an everyday word no topic uses (lexicon common_words)
PHRASE_MATCHES = 2.0  # a matched multi-word phrase counts as two matched words
GROUP_MARK = "@"  # index terms for synonym groups: "@spasm" is any word of the spasm group
PHRASE_MARK = "~"  # index terms for a topic's multi-word keywords and synonyms: "~sit~hour"
PHRASE_FIELDS = ("keywords", "synonyms")

MEDICINE_GROUP = "@" + stem("medicine")  # group names are stemmed like every word
RETURN_STEM = "return"
RETURN_NEXT = frozenset({"to", "in", "into", "at", "on"})  # "back to work", "back in the gym", "back at it"
FOLLOW_UP_FIRST = frozenset({"and", "also", "plus"})  # stems that open a follow-up question
ACK_FIRST = frozenset({"ok", "okay", "cheer", "thank", "thanks", "right", "so", "great"})  # ... after one of these
WRITER = frozenset({"i", "me", "myself"})  # stems: the writer speaks of themselves
MEDICINE_RATIO = 0.85  # a medicine question takes the medicines topic if it scores this share of the best
RELATED_RATIO = 0.6  # a runner-up scoring this share of the best is offered as a Related button
PART_COVERAGE = 0.25  # one part of a two-question message: share of its words a topic must explain
PART_LEAD = 0.95  # ... and the runner-up's score at most this share of the best
TOLD_COVERAGE = 0.9  # a statement before the question: its topic explains this share of it
TOLD_LEAD = 0.6  # ... and the runner-up's score is at most this share of the best
CHOICE_SPLIT = 0.8  # a choice whose best topic explains less of it than this is two questions
MAX_CHOICE_PARTS = 4  # ... looked for in the first parts only, so a long message stays fast
SHORT_WORDS = 4  # "brace or no brace", "ice or heat lol": a message this short may be keywords only
SHORT_UNITS = 3  # a message of at most this many words may be answered on its keywords alone
SHORT_LEAD = 0.8  # ... if the runner-up scores at most this share of the best
URGENT_TOPICS = {"emergency": "emergency-signs", "same_day": "see-doctor-today"}
RANK_TOKEN_LIMIT = 120  # words of a long message used for ranking (red flags scan all of it)
SMALLTALK_MAX_WORDS = 12

# Decision thresholds, calibrated on the development half of tests/data/questions.tsv.
MIN_COVERAGE_ANCHORED = 0.30
MIN_SCORE_ANCHORED = 1.5
MIN_COVERAGE_FREE = 0.45
MIN_SCORE_FREE = 3.0
MIN_MATCHED_FREE = 2.0
MIN_COVERAGE_PLAIN = 0.5  # ... and with no body word either (SUBJECT_GROUPS)
CLEAR_COVERAGE = 0.85
CLEAR_MATCHED = 3.0
# Words that say the message is about the body (a muscle, pain, a strain), though not the back by
# name. Without one of these or an anchor, everyday words that topics happen to use ("eat", "drive",
# "heat") are weak evidence, so a topic must account for more of the message (MIN_COVERAGE_PLAIN).
SUBJECT_GROUPS = frozenset(GROUP_MARK + g for g in ("spasm", "pain", "strain", "injury", "back", "nerve", "disc", "sharp"))
SUBJECT_STEMS = frozenset({"muscl", "stiff"})
_NO_EXAMPLES: frozenset[int] = frozenset()
NEGLIGIBLE_INFO = 0.1  # a word this common adds nothing measurable to an example's similarity
TELLING_INFO = 0.6  # a word in half the topics or more (idf below this) can't pick a topic alone
SMALLTALK_MEANING = 0.7  # a small-talk word the topics' own texts use at least this distinctively ("take") means something
GENERAL_CONFIDENCE = 0.3  # reported for the lexicon's general_topic
FULL_CONFIDENCE_SCORE = 10.0  # reported confidence = coverage x min(1, score / this)


@dataclass(frozen=True)
class Tuning:
    """Ranking knobs, calibrated on the development rows of the labelled set (bench/answers.py)."""

    # BM25F field weights: short, hand-written fields say most about what a topic is for.
    title: float = 2.5
    keywords: float = 4.0
    synonyms: float = 1.0
    # Example questions, the topic's own and people's (question_examples.tsv): with some 60 per
    # topic, each counts little in BM25 and the single closest one counts more (`example`).
    # Chosen by leave-one-set-out over the ten blind sets (bench/question_examples.py --cv).
    questions: float = 0.4
    body: float = 0.4
    k1: float = 1.2
    # Weight of the best single example question/synonym that resembles the message.
    example: float = 4.5
    expansion: float = 0.5  # a word matching only through its synonym group counts this much
    phrase: float = 1.5  # a multi-word synonym ("stay in bed", "what is that") is specific evidence
    coverage_floor: float = 1.0  # ranking score = (BM25F + examples) x (coverage_floor + coverage)
    clarify_ratio: float = 0.99  # runner-up within this ratio of the best (a true tie): ask "Did you mean"
    flag_word_damping: float = 0.4  # see _build_index
    # A multi-word keyword or synonym ("go away", "sitting for hours") is one idea: matched whole it
    # counts as a term of its own (weight `entry_phrase`), and its single words count only this much,
    # so "away" in "keep it away" does not look like "go away".
    phrase_word_share: float = 0.5
    entry_phrase: float = 0.3
    framing: float = 0.3  # topics of the categories a story / a request for advice asks for score this much more
    cause: float = 1.0  # ... and the causes, when the message asks outright what caused it

    def field_weights(self) -> dict[str, float]:
        return {f: getattr(self, f) for f in FIELDS}


@dataclass(frozen=True)
class Reply:
    kind: str  # "answer" | "clarify" | "no_match" | "urgent" | "smalltalk" | "check"
    topics: tuple[str, ...]
    score: float
    text: str
    level: str | None = None  # urgent and check: "emergency" | "same_day"; smalltalk: greeting|thanks|help|goodbye
    related: tuple[str, ...] = ()
    flag: str | None = None  # urgent: the warning sign found; check: the sign a Yes stands for
    check: str | None = None  # check: the safety question's id
    then: "Reply | None" = None  # check: what to answer on No
    declined: bool = False  # no_match because the message is about something else (a knee, a dog)

    def to_json(self) -> dict:
        out = {"kind": self.kind, "topics": list(self.topics), "score": round(self.score, 3), "text": self.text}
        if self.level:
            out["level"] = self.level
        if self.check and self.then is not None:
            out["check"] = self.check
            out["if_no"] = self.then.to_json()
        return out


@dataclass(frozen=True)
class Unit:
    """One informative word of the message: its stem, query weight and synonym groups."""

    stem: str  # the word's stem, or a group name matched by a multi-word phrase
    weight: float  # 1, FIXED_WEIGHT when typo correction produced it, Tuning.phrase for phrases
    groups: tuple[str, ...]
    info: float  # how much the word says (idf; words no topic uses count UNKNOWN_INFO)


@dataclass(frozen=True)
class Query:
    """A message as the ranker sees it."""

    units: tuple[Unit, ...]  # words, then groups matched by a multi-word phrase ("stay in bed")
    covered_by: dict[str, tuple[str, ...]]  # word -> phrase groups whose phrase includes it
    anchored: bool
    off_topic: bool
    framing: str = ""  # "story" (what happened) or "advice" (how to...), if the wording says
    bodily: bool = False  # names a muscle, pain, strain ... (SUBJECT_GROUPS), if not the back itself
    subject: Subject = Subject(back=False)
    medicine: bool = False  # names a medicine or painkiller
    length: int = 0  # words in the message, not counting filler ("lol", "pls")
    other_back: bool = False  # "back" in another sense ("call me back", "the back seat")
    other_topic: bool = False  # names a subject we don't cover (lexicon other_topics: "period", "six pack")
    thing_back: bool = False  # "back" as part of a thing ("the back seat"), not the body nor "return"
    follow_up: bool = False  # anchored only as a follow-up ("and what about rowing?"), naming no back


@dataclass(frozen=True)
class Ranked:
    topic_id: str
    score: float
    coverage: float  # share of the message's informative words this topic accounts for
    matched: float  # how many of the message's words it matches (typo-fixed or synonym: half)
    telling: bool  # it matches at least one word that is not in most topics


class AnswerEngine:
    def __init__(
        self, content: Content, lexicon: Lexicon, redflags: RedFlags, tuning: Tuning | None = None,
        flag_examples: list[tuple[str, str]] | None = None,
        real_words: frozenset[str] = frozenset(),
        question_examples: list[tuple[str, str]] | None = None,
    ):
        self.tuning = tuning or Tuning()
        self.content = content
        self.lexicon = lexicon
        self.redflags = redflags
        self.messages = content.messages
        self._topic_ids = list(content.topics)
        self._topic_category = [t.category for t in content.topics.values()]
        self._cause_topics = frozenset(
            t.id for t in content.topics.values()
            if t.category in lexicon.framing.story_categories or t.id in lexicon.framing.cause_topics
        )
        # Category ids the content doesn't have are skipped (tests run the real lexicon on small content).
        framing = lexicon.framing
        self._framing_categories = {
            "story": framing.story_categories, "cause": framing.story_categories, "advice": framing.advice_categories,
        }
        for name in ("general_topic", "cause_topic"):
            if getattr(lexicon, name) and getattr(lexicon, name) not in content.topics:
                raise ContentError([f"lexicon.toml: {name}: unknown topic '{getattr(lexicon, name)}'"])
        # Tests run the real lexicon on small content: no "right now" topic there means rank as usual.
        self._acute_topic = lexicon.acute_topic if lexicon.acute_topic in content.topics else ""

        counts: Counter[str] = Counter()
        for topic in content.topics.values():
            for text in _topic_texts(topic).values():
                counts.update(w for w, _ in words(" ".join(text)))
        # Lexicon and red-flag words are known too, so they are never "corrected" away.
        flag_words = redflags.words()
        for w in lexicon.words | flag_words | redflags.other_words:
            for word, _ in words(w):
                counts[word] += 1
        # A word the content or lexicon uses is a real word, not a slip for a red-flag word.
        redflags.known_words(set(counts) - flag_words, real_words)
        self._rewrites = PhraseIndex(lexicon.rewrites)
        self._group_phrases = PhraseIndex(lexicon.group_phrases)
        self._anchors = PhraseIndex((a, True) for a in lexicon.anchors)
        # The spasm words anchor a message to our subject only if no other body part is named
        # ("calf spasm"); the back words (back, spine, lumbar ...) always do.
        back_words = [a for a in lexicon.anchors if not (len(a) == 1 and "spasm" in lexicon.groups.get(a[0], ()))]
        body_next = frozenset(w for w, groups in lexicon.groups.items() if {"pain", "spasm", "strain"} & set(groups))
        self._scope = ScopeReader(lexicon.scope, back_words, body_next | {"muscl", "problem"})
        self._other_topics = PhraseIndex((o, True) for o in lexicon.other_topics)
        self._story = PhraseIndex((p, True) for p in framing.story)
        self._advice = PhraseIndex((p, True) for p in framing.advice)
        self._cause = PhraseIndex((p, True) for p in framing.cause)
        self._smalltalk_phrases = PhraseIndex((p, level) for level in SMALLTALK_LEVELS for p in lexicon.smalltalk[level])
        self._smalltalk_words = (
            {w for level in SMALLTALK_LEVELS for p in lexicon.smalltalk[level] for w in p}
            | lexicon.filler
            | lexicon.stopwords
        )
        short = {a[0] for a in lexicon.anchors if len(a) == 1}
        self.normaliser = Normaliser(TypoFixer(dict(counts), short_targets=_raw_forms(short, counts), real_words=real_words))
        question_examples = list(question_examples or ())
        topical = [(label, q) for label, q in question_examples if label not in NO_TOPIC_LABELS]
        unknown_topics = sorted({label for label, _ in topical if label not in content.topics})
        if unknown_topics:
            raise ContentError([f"question_examples.tsv: unknown topics {unknown_topics}"])
        # Questions people wrote without seeing the content, read exactly as a message is (typos
        # fixed), so their slips never become words the typo fixer trusts.
        self._people_questions: dict[str, list[list[str]]] = {}
        for label, question in topical:
            self._people_questions.setdefault(label, []).append(
                self._rewrite(self.normaliser.stems(question))
            )
        self._build_index()
        # "Can dehydration cause spasms?": the water topic answers a why-question too, though it sits
        # in prevention; boosted with the causes only when the message has one of its own keywords
        # ("dehydrated", "the day after"), not words its example questions share with any story
        # ("lifting at work"). Ids the content doesn't have are skipped, like categories above.
        self._also_causes = {
            i: self._keyword_terms(content.topics[t]) for i, t in enumerate(self._topic_ids) if t in framing.cause_topics
        }
        # A topic that answers an emergency safety question must name the emergency numbers (ids the
        # content doesn't have are skipped, like categories above; check-content reports them).
        problems = [
            f"redflags.toml: {c.id}: answered_by: topic '{t}' must name 112, 911 and 999"
            for c in redflags.checks for t in c.answered_by
            if t in content.topics and c.level == "emergency" and not all(n in content.topics[t].body for n in ("112", "911", "999"))
        ]
        if problems:
            raise ContentError(problems)
        known_flags = {f.id for f in redflags.flags} | {"none"}
        unknown = sorted({label for label, _ in flag_examples or () if label not in known_flags})
        if unknown:
            raise ContentError([f"redflag_examples.tsv: unknown labels {unknown}"])
        self._flag_check = _checks_by_flag(redflags)
        self._back_only = frozenset(f.id for f in redflags.flags if f.back_only)
        self._back_named = frozenset(f.id for f in redflags.flags if f.back_named)
        self.flag_examples = FlagExamples(flag_examples or (), self._example_stems)
        self.off_topic = OffTopicExamples(
            (q for label, q in question_examples if label != OFF_TOPIC_LABEL),
            (q for label, q in question_examples if label == OFF_TOPIC_LABEL),
            self._example_stems,
        )

    @classmethod
    def from_dir(
        cls, content_dir: Path | str | None = None, question_examples: list[tuple[str, str]] | None = None
    ) -> "AnswerEngine":
        """The engine of a content folder; `question_examples`, if given, instead of its
        question_examples.tsv (the benchmarks try other sets of examples)."""
        content = load_content(content_dir)
        root = content.directory
        examples = root / "redflag_examples.tsv"
        questions = root / "question_examples.tsv"
        english = root / "english_words.txt"
        return cls(
            content, load_lexicon(root / "lexicon.toml"), load_redflags(root / "redflags.toml"),
            flag_examples=read_examples(examples) if examples.is_file() else None,
            real_words=read_word_list(english) if english.is_file() else frozenset(),
            question_examples=(
                question_examples if question_examples is not None
                else read_examples(questions) if questions.is_file() else None
            ),
        )

    # --- building -------------------------------------------------------------------------------

    def _build_index(self) -> None:
        n = len(self._topic_ids)
        weights = self.tuning.field_weights()
        k1 = self.tuning.k1
        # Term weights are fractional (phrase words count `share` of a word), so plain float dicts, not Counters.
        field_tf: dict[str, list[dict[str, float]]] = {f: [] for f in FIELDS}
        entry_phrases: set[tuple[str, ...]] = set()
        # The words of a topic's own texts. A message that names no back is measured on these
        # alone, so the everyday words of people's questions ("kids", "school") never make an
        # off-topic message look like ours.
        own_terms: list[set[str]] = []
        for topic in self.content.topics.values():
            own_terms.append(set())
            for field, texts in _topic_texts(topic).items():
                own = self._term_counts([self._rewrite([stem(w) for w, _ in words(text)]) for text in texts], field, entry_phrases)
                own_terms[-1].update(own)
                people = self._people_questions.get(topic.id, []) if field == "questions" else []
                tf = own
                for term, count in self._term_counts(people, field, entry_phrases).items():
                    tf[term] = count + tf.get(term, 0)
                field_tf[field].append(tf)
        self._own_terms = own_terms
        self._entry_phrases = PhraseIndex((p, _phrase_term(p)) for p in entry_phrases)
        avg_len = {f: (sum(sum(tf.values()) for tf in tfs) / max(n, 1)) or 1.0 for f, tfs in field_tf.items()}

        df: Counter[str] = Counter()
        for i in range(n):
            df.update({t for f in FIELDS for t in field_tf[f][i]})
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        # How much a word tells: measured on the topics' own texts where they use it. People's
        # questions use "spasm" in every topic; more of them must not make it a word that can't
        # pick a topic ("whats a spasm?").
        own_df = Counter(t for terms in own_terms for t in terms)
        self._info = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in own_df.items()}

        # Inverted index: term -> [(topic index, BM25F contribution per unit of query weight)].
        self._postings: dict[str, list[tuple[int, float]]] = {}
        self._unit_cache: dict[tuple[str, tuple[str, ...]], dict[int, float]] = {}
        self._topic_terms: list[set[str]] = []
        # The warning-sign topics list symptoms. A message naming such a symptom without tripping
        # the red-flag scanner (one numb leg, say) is better served by a cause topic, so in those
        # two topics the scanner's words count for less; questions *about* urgency still reach them.
        flag_words = self.redflags.stems() - self.lexicon.stopwords
        urgent_topics = {i for i, t in enumerate(self._topic_ids) if t in URGENT_TOPICS.values()}
        for i in range(n):
            pseudo: dict[str, float] = {}
            for f, w in weights.items():
                tf = field_tf[f][i]
                length = sum(tf.values())
                norm = 1 - FIELD_B[f] + FIELD_B[f] * length / avg_len[f]
                for term, count in tf.items():
                    pseudo[term] = pseudo.get(term, 0) + w * count / norm
            self._topic_terms.append(set(pseudo))
            for term, tfw in pseudo.items():
                value = self._idf[term] * tfw * (k1 + 1) / (tfw + k1)
                if i in urgent_topics and term in flag_words:
                    value *= self.tuning.flag_word_damping
                self._postings.setdefault(term, []).append((i, value))

        # A topic's own key terms (title, keywords, synonyms), for answering a one- or two-word message.
        self._topic_keys: dict[str, set[str]] = {}
        for topic in self.content.topics.values():
            keys: set[str] = set()
            for text in (topic.title, *topic.keywords, *topic.synonyms):
                keys.update(self._expand(self._rewrite([stem(w) for w, _ in words(text)])))
            self._topic_keys[topic.id] = keys
        self._title_stems = {stem(w) for t in self.content.topics.values() for w, _ in words(t.title)} - self.lexicon.stopwords
        medicine = self._postings.get(MEDICINE_GROUP, [])
        self._medicine_topic = self._topic_ids[max(medicine, key=lambda iv: iv[1])[0]] if medicine else ""

        # Example texts (title, synonyms, questions), for "which single example is this most like".
        self._examples: list[tuple[int, float]] = []  # (topic index, information in the example)
        example_index: dict[str, list[int]] = {}
        for i, topic in enumerate(self.content.topics.values()):
            written = [self._rewrite([stem(w) for w, _ in words(t)]) for t in (topic.title, *topic.synonyms, *topic.questions)]
            for stems in written + self._people_questions.get(topic.id, []):
                terms = self._expand(stems)
                info = sum(self._idf[t] for t in terms if not t.startswith(GROUP_MARK))
                if not info:
                    continue
                for t in terms:
                    example_index.setdefault(t, []).append(len(self._examples))
                self._examples.append((i, info))
        self._example_sets = {t: frozenset(ids) for t, ids in example_index.items()}

    def _term_counts(self, stem_lists: list[list[str]], field: str, entry_phrases: set[tuple[str, ...]]) -> dict[str, float]:
        """Index terms of some texts of one field, weighted; notes the multi-word entries it meets."""
        share = self.tuning.phrase_word_share
        tf: dict[str, float] = {}
        for stems in stem_lists:
            weighted: dict[str, float] = dict(self._expand(stems))
            phrase = self._entry_phrase(stems) if field in PHRASE_FIELDS else None
            if phrase:
                for term in weighted:
                    if not term.startswith(GROUP_MARK):
                        weighted[term] *= share
                if self.tuning.entry_phrase:
                    entry_phrases.add(phrase)
                    phrase_term = _phrase_term(phrase)
                    weighted[phrase_term] = weighted.get(phrase_term, 0) + 1
            for term, count in weighted.items():
                tf[term] = count + tf.get(term, 0)
        return tf

    # --- analysis -------------------------------------------------------------------------------

    def _rewrite(self, stems: list[str]) -> list[str]:
        """Apply lexicon phrase rewrites ("back garden" -> "garden", "put * back out" -> ...)."""
        return self._rewrites.rewrite(stems)

    def _expand(self, stems: list[str]) -> Counter[str]:
        """Index side: literal non-stop words, and one GROUP_MARK-ed term per synonym-group hit."""
        lex = self.lexicon
        terms: Counter[str] = Counter()
        for s in stems:
            if not s or s in lex.stopwords:
                continue
            terms[s] += 1
            for group in lex.groups.get(s, ()):
                terms[GROUP_MARK + group] += 1
        for _, _, group in self._group_phrases.find_all(stems):
            terms[GROUP_MARK + str(group)] += 1
        return +terms

    def _entry_phrase(self, stems: list[str]) -> tuple[str, ...] | None:
        """The phrase a multi-word keyword stands for: its informative words ("sit hour" for
        "sitting for hours"), or all of them when only one is informative ("how long", "go away")."""
        informative = tuple(s for s in stems if s and s not in self.lexicon.stopwords)
        if len(informative) >= 2:
            return informative
        if len(informative) == 1 and len(stems) >= 2:
            return tuple(s for s in stems if s)
        return None

    def analyse(self, tokens: list[Token], whole: bool = False) -> Query:
        """`whole`: the message itself, not one part of it (only a message can be a follow-up)."""
        lex = self.lexicon
        fixed = {t.stem for t in tokens if t.fixed}
        raw = [t.stem for t in tokens]
        stems = self._rewrite(raw)
        subject = self._scope.read(stems, raw)
        # "call me back", "the back seat": that "back" is not the body, so it neither anchors
        # the message nor counts as evidence for a topic.
        body = set(self._scope.body_senses(stems))
        other_back = any(s == "back" and k not in body for k, s in enumerate(stems))
        # "Back" meaning return ("back to the gym", "get back to work") means return, which one
        # topic is about; as part of a thing ("back seat") it means nothing.
        stems = [s if s != "back" or k in body else self._other_back(stems, k) for k, s in enumerate(stems)]
        # ... and "back" before a thing word ("the back seat", "back of the fridge") is a thing.
        # Read before the rewrites, which drop it ("back seat" -> "seat").
        thing_back = any(
            s == "back" and not self._scope.back_is_body(raw, k) and self._scope.thing_part(raw, k) for k, s in enumerate(raw)
        )
        units: dict[str, Unit] = {}
        for s in stems:
            if not s or s in lex.stopwords or s in units:
                continue
            if s.isdigit() and s not in lex.groups:
                continue  # "6 days", "im 55": numbers count only inside phrases like "* weeks"
            units[s] = Unit(
                stem=s,
                weight=FIXED_WEIGHT if s in fixed else 1.0,
                groups=tuple(GROUP_MARK + g for g in lex.groups.get(s, ())),
                # A greeting or thanks around a question ("thanks, but how do I ...") says as little as an everyday word.
                info=self._idf.get(s, COMMON_INFO if s in lex.common or s in self._smalltalk_words else UNKNOWN_INFO),
            )
        covered: dict[str, list[str]] = {}
        for start, phrase, group in self._group_phrases.find_all(stems):
            for s in stems[start : start + len(phrase)]:
                covered.setdefault(s, []).append(GROUP_MARK + str(group))
        for group in dict.fromkeys(g for gs in covered.values() for g in gs):
            if group not in units:
                units[group] = Unit(group, self.tuning.phrase, (), self._idf.get(group, COMMON_INFO))
        if self.tuning.entry_phrase:
            informative = [s for s in stems if s and s not in lex.stopwords]
            found = {str(term) for seq in (stems, informative) for _, _, term in self._entry_phrases.find_all(seq)}
            for term in sorted(found):
                units[term] = Unit(term, self.tuning.entry_phrase, (), self._idf.get(term, COMMON_INFO))
        # "and what about rowing?", "ok and when would it be an emergency?": a follow-up in a chat
        # about back spasms is about them, as if it named the back.
        follow_up = whole and bool(raw) and (raw[0] in FOLLOW_UP_FIRST or (len(raw) > 1 and raw[0] in ACK_FIRST and raw[1] in FOLLOW_UP_FIRST))
        named = bool(self._anchors.find_all(stems))  # "spasm", "spine" ...
        anchored = subject.back or ((named or follow_up) and not subject.part and not subject.animal)
        other_topic = any(not where_one_sits(stems, k) for k, _, _ in self._other_topics.find_all(stems))
        off_topic = other_topic or bool(subject.part) or bool(subject.animal)
        covered_by = {s: tuple(gs) for s, gs in covered.items()}
        bodily = any(
            u.stem in SUBJECT_STEMS or u.stem in SUBJECT_GROUPS or SUBJECT_GROUPS.intersection(u.groups)
            for u in units.values()
        )
        medicine = any(u.stem == MEDICINE_GROUP or MEDICINE_GROUP in u.groups for u in units.values())
        length = sum(1 for t in tokens if t.stem not in lex.filler)
        return Query(
            tuple(units.values()), covered_by, anchored, off_topic, self._framing(tokens, stems), bodily, subject,
            medicine, length, other_back, other_topic, thing_back,
            follow_up and anchored and not subject.back and not named,
        )

    def _framing(self, tokens: list[Token], stems: list[str]) -> str:
        """'cause' for "is lifting what caused it", 'story' for "lifted a box and now my back...",
        'advice' for "how do I lift...", else ''.

        A word ending in -ed counts as a story mark unless the lexicon lists it as a state ("tired").
        A message with both story and advice marks, or neither, gets no framing; one that asks
        what caused it asks that, whatever else it tells."""
        if self._cause.find_all(stems):
            return "cause"
        story = bool(self._story.find_all(stems)) or any(
            len(t.word) >= 5 and t.word.endswith("ed") and t.word not in self.lexicon.framing.not_story for t in tokens
        )
        advice = bool(self._advice.find_all(stems))
        if story == advice:
            return ""
        return "story" if story else "advice"

    def _unit_postings(self, unit: Unit) -> dict[int, float]:
        """Topic -> best contribution of this word: its own match, or half a synonym-group match."""
        key = (unit.stem, unit.groups)
        cached = self._unit_cache.get(key)
        if cached is None:
            cached = {i: v for i, v in self._postings.get(unit.stem, ())}
            for group in unit.groups:
                for i, v in self._postings.get(group, ()):
                    if v * self.tuning.expansion > cached.get(i, 0.0):
                        cached[i] = v * self.tuning.expansion
            if len(self._unit_cache) < 20_000:
                self._unit_cache[key] = cached
        return cached

    def rank(self, query: Query, top: int = 3) -> list[Ranked]:
        scores = [0.0] * len(self._topic_ids)
        for unit in query.units:
            for i, v in self._unit_postings(unit).items():
                scores[i] += unit.weight * v
        if self.tuning.example:
            for i, sim in self._example_similarity(query).items():
                scores[i] += self.tuning.example * sim
        if query.framing and self.tuning.framing:
            # A story of what happened wants a cause; "how do I ..." wants advice. The subject words
            # still choose the topic; the framing tips the balance between, say, "Posture and lifting"
            # (a cause) and "Lift safely" (prevention).
            wanted = self._framing_categories[query.framing]
            boost = self.tuning.cause if query.framing == "cause" else self.tuning.framing
            also = self._also_causes if query.framing != "advice" else {}
            for i, category in enumerate(self._topic_category):
                if category in wanted or (i in also and any(u.stem in also[i] for u in query.units)):
                    scores[i] *= 1 + boost
        # A topic that explains more of the message ranks higher than one matching a single word well.
        # The final score lies between s x floor and s x (floor + 1), so a topic whose best case is
        # below the `top`-th best worst case can be skipped without changing the result.
        floor = self.tuning.coverage_floor
        positive = sorted((s for s in scores if s > 0), reverse=True)
        cutoff = positive[top - 1] * floor if len(positive) >= top else 0.0
        ranked = [self._ranked(query, i, s) for i, s in enumerate(scores) if s > 0 and s * (floor + 1) >= cutoff]
        ranked.sort(key=lambda r: -r.score)
        return ranked[:top]

    def _example_similarity(self, query: Query) -> dict[int, float]:
        """Topic -> Dice similarity of the message to that topic's closest example text."""
        shared: dict[int, float] = {}
        total = 0.0
        for unit in query.units:
            if unit.stem.startswith(PHRASE_MARK):
                continue  # its words are units already
            info = unit.info
            total += info
            if info < NEGLIGIBLE_INFO:
                # "back", "spasm": in nearly every example, so they cannot tell examples apart, and
                # walking their long example lists was most of the answer time.
                continue
            sets = self._example_sets
            full = sets.get(unit.stem, _NO_EXAMPLES)
            for g in query.covered_by.get(unit.stem, ()):
                full = full | sets.get(g, _NO_EXAMPLES)
            part = _NO_EXAMPLES
            for g in unit.groups:
                part = part | sets.get(g, _NO_EXAMPLES)
            w = info * min(unit.weight, 1.0)
            get = shared.get
            for e in full:
                shared[e] = get(e, 0.0) + w
            if part:
                w *= self.tuning.expansion
                for e in part - full:
                    shared[e] = get(e, 0.0) + w
        best: dict[int, float] = {}
        examples = self._examples
        for e, got in shared.items():
            topic, info = examples[e]
            sim = 2 * got / (total + info)
            if sim > best.get(topic, 0.0):
                best[topic] = sim
        return best

    def _ranked(self, query: Query, i: int, score: float) -> Ranked:
        # A message naming no back is measured on the topic's own words only (see _build_index).
        terms = self._topic_terms[i] if query.anchored else self._own_terms[i]
        total = got = matched = 0.0
        telling = False
        for unit in query.units:
            if unit.stem.startswith(PHRASE_MARK):
                # Its words are units already; that they came as the topic's own phrase is one more match.
                # A phrase of three words or more ("what causes back spasms") picks a topic even when
                # each of its words is common.
                if unit.stem in terms:
                    matched += 1
                    telling = telling or unit.stem.count(PHRASE_MARK) >= 3
                continue
            total += unit.info
            if unit.stem in terms or any(g in terms for g in query.covered_by.get(unit.stem, ())):
                share = min(unit.weight, 1.0)
            elif any(g in terms for g in unit.groups):
                share = self.tuning.expansion * unit.weight
            else:
                continue
            got += unit.info * share
            matched += PHRASE_MATCHES if unit.stem.startswith(GROUP_MARK) else share
            telling = telling or self._info.get(unit.stem, unit.info) >= TELLING_INFO
        coverage = got / total if total else 0.0
        adjusted = score * (self.tuning.coverage_floor + coverage)
        return Ranked(self._topic_ids[i], adjusted, coverage, matched, telling)

    # --- answering ------------------------------------------------------------------------------

    def is_urgent(self, text: str) -> bool:
        """The red-flag scan alone: what a feature asks before it claims a typed message."""
        return self.redflags.scan(self.normaliser.tokens(text or "")) is not None

    def _example_stems(self, text: str) -> list[str]:
        return self._vote_cut(self.normaliser.stems(text))

    def _vote_stems(self, tokens: list[Token]) -> list[str]:
        return self._vote_cut([t.stem for t in tokens])

    def _vote_cut(self, stems: list[str]) -> list[str]:
        """What the example vote compares: examples and messages are cut the same way."""
        stop = self.lexicon.stopwords
        return [s for s in stems if len(s) > 1 and s not in stop]

    def _assess(self, tokens: list[Token]) -> Finding:
        """The rules first; where they found nothing, the nearest blind-written examples may ask
        a sign's safety question (bot.core.flag_examples)."""
        finding = self.redflags.assess(tokens)
        if finding.hit or finding.check is not None or not len(self.flag_examples):
            return finding
        flag = self.flag_examples.vote(self._vote_stems(tokens))
        check = self._flag_check.get(flag) if flag else None
        return Finding(check=check) if check else finding

    def answer(self, text: str) -> Reply:
        tokens = self.normaliser.tokens(text or "")
        ranked_tokens = tokens[:RANK_TOKEN_LIMIT]
        finding = self._assess(tokens)
        query: Query | None = None
        if finding.hit and finding.hit.flag in self._back_only:
            query = self.analyse(ranked_tokens, whole=True)
            finding = self._of_the_back(finding, query, tokens)
        if finding.hit:
            return self.urgent(finding.hit.level, finding.hit.flag)
        level = self._smalltalk(tokens) or self._wordless(text or "")
        if level and finding.check is None:
            return Reply("smalltalk", (), 0.0, self._smalltalk_text(level), level=level)
        if finding.check is None and self._other_language(text or "", tokens):
            return self._declined(self.messages.other_language)
        query = query or self.analyse(ranked_tokens, whole=True)
        ranked = self.rank(query)
        reply = self._second_question(self._decide(query, ranked), query, ranked_tokens, text)
        # A topic's own keyword alone ("tennis?", "magnesium") is that topic whatever the examples
        # near it ("tennis elbow") say; anything longer is checked against them.
        if (reply.kind == "answer" and (not query.anchored or query.follow_up)
                and not (len(reply.topics) == 1 and bool(ranked) and self._keywords_only(query, ranked) == "answer")
                and self.off_topic.is_off(self._vote_stems(tokens))):
            # Naming no back, and most like the messages people wrote about something else.
            reply = self._no_match()
        check = finding.check
        if check and self._answers_the_check(check, finding, reply, tokens):
            return reply
        if check and check.without_back and not query.subject.back and not query.anchored:
            # A fever or the flu with no back in the message ("how long do flu symptoms last", "my
            # toddler has a fever") is not ours to ask about: declined, saying when the sign WITH
            # back pain means help.
            return self._declined(escape(check.without_back))
        # An area check (not an emergency in doubt) is asked only about a person's body: "who fell
        # over in the match" or "the toilet seat is loose" is not a warning sign.
        elsewhere = query.subject.animal or (query.subject.part and not query.subject.back)
        if check and (finding.in_doubt or ((not check.needs_body or query.anchored or query.bodily) and not elsewhere)):
            return Reply("check", reply.topics, reply.score, check.question, level=check.level,
                         flag=check.flag, check=check.id, then=reply)
        return reply

    def _answers_the_check(self, check: Check, finding: Finding, reply: Reply, tokens: list[Token]) -> bool:
        """A general question about an area ("can a fall cause back spasms?"), opening like one,
        naming nobody it happened to and telling nothing that happened, whose answer itself says when the sign means
        help now: the answer is enough. A sign in doubt, anyone in the message ("I fell", "my son",
        "we") or an event ("fell over in the garden yesterday") keeps the question."""
        return (not finding.in_doubt and reply.kind == "answer" and not reply.declined
                and bool(reply.topics) and reply.topics[0] in check.answered_by
                and bool(tokens) and tokens[0].stem in GENERAL_OPENERS
                and not any(t.stem in WRITER_WORDS or _told(t.word) for t in tokens)
                and not self.redflags.names_someone_else(tokens))

    def _of_the_back(self, finding: Finding, query: Query, tokens: list[Token]) -> Finding:
        """A sign that means something only with back pain (a fever, pain at night): said of
        another part of the body ("calf cramps at night", "my knee wakes me") it is not that sign;
        said with no body at all ("I think I've got the flu") it is asked about, not assumed. A
        message that is otherwise one of our questions ("ice or heat? I also have a fever") is
        about the back. Someone else's sign with no back named ("my toddler has a fever") is
        asked about too."""
        if (query.subject.animal and not self.redflags.names_someone_else(tokens, pronouns=False)
                and not any(t.stem in WRITER for t in tokens)):
            # "my cat keeps arching her back, is she ill": the back is the cat's (but "mum bent to
            # pick up the cat and now her back ..." is mum's, and "walked the dog and the back is
            # agony, I have a fever" is the writer's).
            return Finding()
        if query.subject.back:
            return finding
        if finding.hit and finding.hit.flag in self._back_named:
            return Finding()  # "pretty sure I've got a bladder infection again": no back, no sign
        if query.subject.part or (query.thing_back and not query.anchored):
            # ... nor of "the back of my laptop" ("a bulge where the battery swelled").
            return Finding()
        if (query.anchored and not query.follow_up) or query.bodily:
            return finding
        if not self.redflags.names_someone_else(tokens):
            ours = self._decide(query, self.rank(query), general=False)
            if ours.kind == "answer" and not ours.declined:
                return finding
        check = self._flag_check.get(finding.hit.flag) if finding.hit else None
        return Finding(check=check, in_doubt=True) if check else finding

    def _second_question(self, reply: Reply, query: Query, tokens: list[Token], text: str) -> Reply:
        """Answer a second question in the same message ("ice or heat? and should I stay in bed").

        Each part is ranked on its own, inheriting the message's subject (the back), and a part's
        topic other than the first answer's becomes the second answer."""
        if reply.kind not in ("answer", "clarify", "no_match") or reply.declined:
            return reply
        parts = question_parts(tokens, self.lexicon.openers, self._informative, self._framed)
        asks = asked(parts, self.lexicon.openers, question_clauses(text or ""), self._informative)
        parts, asks = self._choices(parts, asks, query)
        if len(parts) < 2:
            return reply
        found: list[str] = []
        told: list[list[Token]] = []  # what the person told before asking ("pulled a muscle, ice or heat?")
        ties: list[tuple[str, ...]] = []  # near ties in asked parts before any part was plainly answered
        strict = False
        for k, (part, asks_something) in enumerate(zip(parts, asks, strict=False)):
            if not asks_something:
                if not found:
                    told.append(part)
                continue
            q, ranked, r = self._part_decision(part, query)
            if (r.kind != "answer" or q.framing == "cause") and k and not asks[k - 1] and refers_back(part):
                # "I think I pulled a muscle. Is that what caused it?": the question is about the
                # story just told, so the two are read as one; "is that why her back's gone" asks
                # about the story, not causes in general, even when it is an answer alone; its
                # answer is then a cause ("my back locked, what do I do? could it be my disc" keeps
                # the disc).
                merged = self._part_decision(parts[k - 1] + part, query)
                if r.kind != "answer" or (merged[2].kind == "answer" and merged[2].topics[0] in self._cause_topics):
                    q, ranked, r = merged
            if r.kind == "answer" and not r.declined:
                topic, strict = r.topics[0], True
            elif r.kind == "no_match" and not r.declined and self._plainly_about(q, ranked):
                topic = ranked[0].topic_id
            elif r.kind == "clarify" and found and found[0] not in r.topics:
                # "... and what exercises after?": a near tie within a part still names its
                # subject; the other of the two is offered as a button.
                topic = r.topics[0]
            elif r.kind == "clarify" and not found:
                # "is that a spasm, and do I need a doctor today": the same, before the other part.
                ties.append(r.topics)
                continue
            else:
                continue
            if topic not in found:
                found.append(topic)
        if len(found) == 1 and ties and found[0] not in ties[-1]:
            found.insert(0, ties[-1][0])
        elif not found and len(ties) > 1:
            # "exercise? and lifting?": every asked part a near tie; each still names its subject,
            # and the other of each pair stays unasked.
            found = list(dict.fromkeys(tie[0] for tie in ties))
        if not strict and reply.kind != "answer" and len(found) < 2:
            return reply  # one loose match alone proves nothing; two asked parts each plainly ours do
        if reply.kind == "answer" and (len(found) < 2 or reply.topics[0] in found[:2]):
            first = reply.topics[0]
        elif found:
            first = found[0]
        else:
            return reply
        second = next((t for t in found if t != first), None)
        if second is None and reply.kind == "answer":
            # Ranked only now: most messages never need it.
            second = next((t for part in told for t in self._told(part, query) if t != first), None)
        if second is None:
            return reply if reply.kind == "answer" else self._topic_reply(first, reply.score, query.medicine)
        return self._two_topics(first, second, query.medicine)

    def _told(self, part: list[Token], query: Query) -> list[str]:
        """The topic of a statement before the question when it is one of ours beyond doubt: all
        of it explained and nothing close behind."""
        q, ranked, r = self._part_decision(part, query)
        if r.kind != "answer" or r.declined or not ranked or ranked[0].coverage < TOLD_COVERAGE:
            return []
        if len(ranked) > 1 and ranked[1].score > TOLD_LEAD * ranked[0].score:
            return []
        return [r.topics[0]]

    def _part_decision(self, part: list[Token], query: Query) -> tuple[Query, list[Ranked], Reply]:
        q = self.analyse(part)
        if query.anchored and not q.anchored and not q.off_topic:
            q = replace(q, anchored=True)
        ranked = self.rank(q)
        return q, ranked, self._decide(q, ranked, general=False)

    def _choices(self, parts: list[list[Token]], asks: list[bool], query: Query) -> tuple[list[list[Token]], list[bool]]:
        """A choice between two topics ("heat pack or a back belt, which is better") is two
        questions, one per side; a choice one topic explains whole ("ice or heat", "brace or no
        brace") stays one."""
        out_parts: list[list[Token]] = []
        out_asks: list[bool] = []
        for part, asks_something in zip(parts, asks, strict=False):
            sides = choice_sides(part, self._informative) if len(out_parts) < MAX_CHOICE_PARTS else None
            if sides is not None:
                whole = self.analyse(part)
                if query.anchored and not whole.anchored and not whole.off_topic:
                    whole = replace(whole, anchored=True)
                ranked = self.rank(whole, top=1)
                if ranked and ranked[0].coverage < CHOICE_SPLIT and not (whole.off_topic and not whole.anchored):
                    out_parts += [sides[0], sides[1]]
                    out_asks += [True, True]
                    continue
            # A list ("lifting tips and diet tips") asks about each thing in it, when the message
            # asks it (a lone part is the question itself) and each side is plainly a topic.
            listed = asks_something or len(parts) == 1
            sides = list_sides(part, self._informative) if listed and len(out_parts) < MAX_CHOICE_PARTS else None
            if sides is not None:
                left = self._plain_answer(sides[0], query)
                right = self._plain_answer(sides[1], query) if left else None
                if right and left != right:
                    out_parts += [sides[0], sides[1]]
                    out_asks += [True, True]
                    continue
            out_parts.append(part)
            out_asks.append(asks_something)
        return out_parts, out_asks

    def _plain_answer(self, part: list[Token], query: Query) -> str | None:
        """The topic a part alone is answered with, if it is answered (the other side of a list is
        ranked only when this side is)."""
        r = self._part_decision(part, query)[2]
        return r.topics[0] if r.kind == "answer" and not r.declined else None

    def _other_back(self, stems: list[str], k: int) -> str:
        nxt = stems[k + 1] if k + 1 < len(stems) else ""
        return RETURN_STEM if nxt in RETURN_NEXT else ""

    def _plainly_about(self, query: Query, ranked: list[Ranked]) -> bool:
        """A looser test for one part of a message whose other part is clearly ours ("is golf to
        blame, and should I wear a brace"): a telling word, most of the part explained, and no
        close runner-up."""
        if not ranked or query.off_topic:
            return False
        best = ranked[0]
        lead = len(ranked) < 2 or ranked[1].score <= PART_LEAD * best.score
        return best.telling and best.coverage >= PART_COVERAGE and lead

    def _framed(self, part: list[Token]) -> bool:
        """A part of small words that still asks a kind of question: it holds a multi-word phrase
        of a synonym group ("how do I know", "how long")."""
        return bool(self._group_phrases.find_all([t.stem for t in part]))

    def _informative(self, token: Token) -> bool:
        s = token.stem
        lex = self.lexicon
        # A small-talk word the topics use ("take" of "take care", "night" of "night night") still
        # means something: "... and what can I take" is a question of its own. Measured on the
        # topics' own texts: people's examples use "take" in most topics, more of them every round.
        return bool(s) and not s.isdigit() and not (
            s in lex.stopwords or s in lex.filler or s in lex.openers
            or (s in self._smalltalk_words and self._info.get(s, self._idf.get(s, 0.0)) < SMALLTALK_MEANING)
        )

    def urgent(self, level: str, flag: str | None = None) -> Reply:
        """The urgent reply for a level (also what a Yes to a safety question gets): the action
        first, then one line naming the sign found, so the person knows why."""
        text = self.messages.emergency if level == "emergency" else self.messages.same_day
        sign = self.redflags.about(flag) if flag else None
        if sign:
            text += "\n\n" + self.messages.urgent_because.format(sign=escape(sign[0].lower() + sign[1:]))
        return Reply("urgent", (URGENT_TOPICS[level],), 1.0, text, level=level, flag=flag)

    def reply_for(self, kind: str, topics: tuple[str, ...]) -> Reply:
        """Rebuild an answer from its kind and topics (what a No to a safety question gets)."""
        topics = tuple(t for t in topics if t in self.content.topics)
        if kind == "answer" and len(topics) >= 2:
            return self._two_topics(topics[0], topics[1])
        if kind == "answer" and topics:
            return self._topic_reply(topics[0], 1.0)
        if kind == "clarify" and len(topics) >= 2:
            return Reply("clarify", topics[:2], 1.0, self.messages.clarify)
        return Reply("no_match", (), 0.0, self.messages.no_match)

    def _smalltalk_text(self, level: str) -> str:
        if level == "stop":
            return self.messages.cancelled
        return self.messages.main_menu if level == "menu" else getattr(self.messages, level)

    @staticmethod
    def _wordless(text: str) -> str | None:
        """"👍", "?", "...": no words at all. A question mark asks how this works; anything else
        is a nod. Letters of a script we don't read are another language, not a nod. A face of
        pain alone ("😣") reads as a word but was typed as none: still a nod."""
        if not text.strip() or any(c.isalnum() for c in text):
            return None
        return "help" if "?" in text else "ack"

    def _other_language(self, text: str, tokens: list[Token]) -> bool:
        """Two or more everyday words of another language and fewer English ones, or letters in a
        script with no English words at all ("спина болит" folds to Latin; "背痛" does not)."""
        if not tokens:
            return any(c.isalpha() for c in text)
        foreign = sum(t.word in self.lexicon.foreign for t in tokens)
        english = sum(t.stem in self.lexicon.stopwords for t in tokens if t.word not in self.lexicon.foreign)
        return foreign >= 2 and foreign > english

    def _smalltalk(self, tokens: list[Token]) -> str | None:
        """The small-talk level if the message is only a greeting/thanks/help/goodbye (plus filler)."""
        if not tokens or len(tokens) > SMALLTALK_MAX_WORDS:
            return None
        stems = [t.stem for t in tokens]
        if any(s not in self._smalltalk_words for s in stems):
            return None  # a word that is neither small talk nor filler: it's a question
        covered = [False] * len(stems)
        found: set[str] = set()
        for start, phrase, level in self._smalltalk_phrases.find_all(stems):
            found.add(str(level))
            for k in range(start, start + len(phrase)):
                covered[k] = True
        if not found:
            return None
        lex = self.lexicon
        if any(not c and s not in lex.filler and s not in lex.stopwords for s, c in zip(stems, covered, strict=False)):
            return None
        return next(level for level in SMALLTALK_LEVELS if level in found)

    def _decide(self, query: Query, ranked: list[Ranked], general: bool = True) -> Reply:
        no_match = self._no_match()
        subject = query.subject
        best = ranked[0] if ranked else None
        # "should I bend my knees when I lift" is ours though it names a knee; "pulled my hamstring
        # sprinting" (a story about that part) is not.
        clear = (
            best is not None and best.coverage >= CLEAR_COVERAGE and best.matched >= CLEAR_MATCHED
            and query.framing not in ("story", "cause")
        )
        if subject.animal:
            return self._declined(self.messages.not_back_animal.format(animal=escape(with_article(subject.animal))))
        if subject.part and not subject.back and subject.sore_part:
            return self._not_back(subject.part)
        # "Sit cross LEGGED", "carry it in both HANDS": a part that only says how is judged like a
        # message naming no body; declined with its name only if no topic is plainly asked.
        incidental = bool(subject.part) and not subject.back and not subject.sore_part
        if subject.acute and self._acute_topic:
            # A back that has just gone: what to do now comes first; what else it matches is a button.
            runner = best.topic_id if best is not None and best.topic_id != self._acute_topic else None
            return self._topic_reply(self._acute_topic, 1.0, query.medicine, first_related=runner)
        if best is None:
            return no_match
        if (query.framing == "cause" and self.lexicon.cause_topic and not query.anchored and general
                and not best.telling and not self._names_anything(query)):
            # "What causes them?", "wat causes it": asked about the spasm, naming no cause.
            return self._topic_reply(self.lexicon.cause_topic, GENERAL_CONFIDENCE)
        if query.anchored:
            if not best.telling:
                # "back spasm", "back pain": the subject only, no word that picks a topic. But
                # "pregnant and back spasms" asks something we have no topic for.
                subject_only = not self._names_anything(query)
                if subject_only and self._back_gone(query):
                    # "help back gone", "back's locked": a back that has gone, and nothing else asked.
                    return self._topic_reply(self._acute_topic, GENERAL_CONFIDENCE, query.medicine)
                return (self._general() if subject_only and general else None) or no_match
            ok = best.coverage >= MIN_COVERAGE_ANCHORED and best.score >= MIN_SCORE_ANCHORED
        else:
            # Another body part ("my knee hurts") rules the message out, unless a topic explains
            # nearly all of it ("should I bend my knees when I lift?").
            # With no body word at all ("what should I eat tonight"), a topic must explain more of it.
            ok = (
                # "The back seat of my car won't fold", "fox in the back garden": "back" is a thing
                # and nothing in the message is about a body.
                not (query.thing_back and not query.bodily) and
                # "Should I bend my knees when I lift" is ours though it names a knee; a subject we
                # don't cover ("period cramps", "six pack exercises") is not, however well a topic's
                # words happen to fit it.
                ((clear and not query.other_topic) or not query.off_topic
                 or (incidental and not query.other_topic))
                and best.coverage >= (MIN_COVERAGE_FREE if query.bodily else MIN_COVERAGE_PLAIN)
                and best.score >= MIN_SCORE_FREE
                and best.matched >= (1 if self._cause_asked(query, best) else MIN_MATCHED_FREE)
            )
            if not ok and not query.off_topic:
                short = self._keywords_only(query, ranked)
                if short == "clarify":
                    return Reply("clarify", (best.topic_id, ranked[1].topic_id), 0.5, self.messages.clarify)
                ok = short == "answer" or self._about_medicine(query, best)
        if not ok:
            if incidental:
                return self._not_back(subject.part)
            if query.anchored and self._back_gone(query):
                # "ugh my back has locked": nothing else fits well, and the back has gone.
                return self._topic_reply(self._acute_topic, GENERAL_CONFIDENCE, query.medicine)
            return no_match
        confidence = round(min(1.0, best.coverage) * min(1.0, best.score / FULL_CONFIDENCE_SCORE), 3)
        runner_up = ranked[1] if len(ranked) > 1 else None
        if runner_up and runner_up.score >= self.tuning.clarify_ratio * best.score:
            return Reply("clarify", (best.topic_id, runner_up.topic_id), confidence, self.messages.clarify)
        if query.medicine and best.topic_id != self._medicine_topic:
            # "can I use my wife's diazepam for my back": the medicine is the question.
            medicine = next((r for r in ranked if r.topic_id == self._medicine_topic), None)
            if medicine is not None and medicine.score >= MEDICINE_RATIO * best.score:
                best, runner_up = medicine, best
        first_related = runner_up.topic_id if runner_up and runner_up.score >= RELATED_RATIO * best.score else None
        return self._topic_reply(best.topic_id, confidence, query.medicine, first_related=first_related)

    def _keyword_terms(self, topic: Topic) -> frozenset[str]:
        """A topic's keywords as query units: a word's stem, or the term a message's phrase unit
        carries ("~day~after"), made as the index makes it (_entry_phrase)."""
        out = set()
        for keyword in topic.keywords:
            stems = [s for s in self._rewrite([stem(w) for w, _ in words(keyword)]) if s]
            phrase = self._entry_phrase(stems)
            if phrase:
                out.add(_phrase_term(phrase))
            elif len(stems) == 1:
                out.add(stems[0])
        return frozenset(out)

    def _back_gone(self, query: Query) -> bool:
        """A back that has gone ("back's locked"), when the message does not ask why spasms happen
        ("why does a muscle go into spasm" asks what a spasm is)."""
        return query.subject.gone and query.framing != "cause" and bool(self._acute_topic)

    def _names_anything(self, query: Query) -> bool:
        """Whether a word of the message could pick a topic: not only "back", "spasm", "cause"."""
        return any(u.info >= TELLING_INFO for u in query.units if not u.stem.startswith(PHRASE_MARK))

    def _cause_asked(self, query: Query, best: Ranked) -> bool:
        """ "Could it be arthritis?", "what about my slouching, could that be it": asking whether one
        thing caused it is about the spasm, so one telling word naming a cause is enough."""
        return query.framing == "cause" and best.telling and best.topic_id in self._cause_topics

    def _keywords_only(self, query: Query, ranked: list[Ranked]) -> str:
        """A short message made only of a topic's keywords ("golf?", "ibuprofen", "brace or no
        brace"): "answer" when that topic is clearly ahead, "clarify" when the next one is as
        much about those words ("exercise?"), else "". A word most topics use can't decide it alone."""
        words_ = [u for u in query.units if not u.stem.startswith(PHRASE_MARK) and not u.stem.startswith(GROUP_MARK)]
        if query.length > SHORT_WORDS or query.other_back:
            return ""
        if not words_ or len(words_) > SHORT_UNITS or not any(u.info >= TELLING_INFO for u in words_):
            return ""
        # Only words the lexicon knows as back-spasm ideas (a synonym group: golf is a sport,
        # ibuprofen a medicine) or that name a topic: "bed", "time", "seat" alone are everyday words.
        alone = self.lexicon.standalone
        if not all(u.stem in self._title_stems or any(g[1:] in alone for g in u.groups) for u in words_):
            return ""

        def covers(r: Ranked) -> bool:
            keys = self._topic_keys[r.topic_id]
            return all(u.stem in keys or keys.intersection(u.groups) for u in words_)

        if not covers(ranked[0]):
            return ""
        if len(ranked) < 2 or ranked[1].score <= SHORT_LEAD * ranked[0].score:
            return "answer"
        return "clarify" if covers(ranked[1]) else "answer"

    def _about_medicine(self, query: Query, best: Ranked) -> bool:
        """Any question naming a medicine ("my friend gave me her diazepam, ok to take?") gets the
        medicines topic, which says to ask a pharmacist and never to take someone else's."""
        return query.medicine and best.topic_id == self._medicine_topic

    def _no_match(self) -> Reply:
        return Reply("no_match", (), 0.0, self.messages.no_match)

    def _declined(self, text: str) -> Reply:
        return Reply("no_match", (), 0.0, text, declined=True)

    def _not_back(self, part: str) -> Reply:
        """ "I can't help with an ankle problem; a pharmacist or GP can." """
        return self._declined(self.messages.not_back_part.format(part=escape(with_article(part))))

    def _topic_reply(self, topic_id: str, confidence: float, medicine: bool = False, first_related: str | None = None) -> Reply:
        topic = self.content.topics[topic_id]
        # The medicines topic says it already; any other answer to a medicine question adds it.
        note = f"\n\n{self.messages.medicine_note}" if medicine and topic_id != self._medicine_topic else ""
        text = f"{topic.body}{note}\n\n{self.messages.disclaimer}"
        related = tuple(dict.fromkeys(r for r in (first_related, *topic.related) if r and r != topic_id))[:2]
        return Reply("answer", (topic.id,), confidence, text, related=related)

    def _two_topics(self, first: str, second: str, medicine: bool = False) -> Reply:
        """Two answers in one reply, in the order asked; Related buttons from both."""
        a, b = self.content.topics[first], self.content.topics[second]
        note = f"\n\n{self.messages.medicine_note}" if medicine and self._medicine_topic not in (first, second) else ""
        text = f"{a.body}\n\n<i>{self.messages.two_topics}</i>\n\n{b.body}{note}\n\n{self.messages.disclaimer}"
        related = tuple(dict.fromkeys(r for r in (*a.related[:1], *b.related[:1]) if r not in (first, second)))
        return Reply("answer", (first, second), 1.0, text, related=related)

    def _general(self) -> Reply | None:
        topic_id = self.lexicon.general_topic
        return self._topic_reply(topic_id, GENERAL_CONFIDENCE) if topic_id else None


def with_article(noun: str) -> str:
    """ "a knee", "an ankle", "an alpaca": the messages name the part or animal with its article."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _topic_texts(topic: Topic) -> dict[str, list[str]]:
    return {
        "title": [topic.title],
        "keywords": list(topic.keywords),
        "synonyms": list(topic.synonyms),
        "questions": list(topic.questions),
        "body": [plain_text(topic.body)],
    }


def _phrase_term(phrase: tuple[str, ...]) -> str:
    return PHRASE_MARK + PHRASE_MARK.join(phrase)


def _raw_forms(stems: set[str], counts: Counter[str]) -> set[str]:
    """Known words whose stem is one of `stems` ('back', 'backs' for 'back')."""
    return {w for w in counts if stem(w) in stems}


# A question asked in general opens with one of these ("can a fall cause ...", "is a fall enough").
GENERAL_OPENERS = frozenset({"can", "could", "does", "do", "doe", "is", "are", "will", "would", "why", "how", "what"})
# Words that tell of something that happened: a past tense ("slipped", "fell") or a time.
_TOLD_WORDS = frozenset({"fell", "fallen", "came", "took", "got", "went", "hit", "ago", "yesterday", "yday", "today",
                         "tonight", "last", "since", "now", "just", "this", "morning", "week", "weekend"})


def _told(word: str) -> bool:
    return word in _TOLD_WORDS or (len(word) > 4 and word.endswith("ed"))


def _checks_by_flag(redflags: RedFlags) -> dict[str, Check]:
    """The safety question standing for each sign: its own, else its group's (the cauda equina
    question covers the saddle and sexual signs too)."""
    by_flag = {c.flag: c for c in redflags.checks if not c.area_only}
    for flag in redflags.flags:
        if flag.id not in by_flag and flag.check:
            by_flag[flag.id] = redflags.check_by_id[flag.check]
    return by_flag
