"""Leave-one-out check of the topics' own example questions.

    python bench/loo.py            # accuracy and every miss
    python bench/loo.py --quiet    # accuracy only

For every example question of every topic, the engine is built from the content without that
one question, and the question is asked. It counts as right when the reply is an answer (or an
urgent reply) whose first topic is the question's own. This measures whether the *other* wording
of a topic carries it, i.e. how well the topic would catch a question nobody wrote down; it needs
no labelled data, so editors can run it while widening the wording of topics.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.answers import AnswerEngine  # noqa: E402
from bot.core.content import load_content  # noqa: E402
from bot.core.redflags import load_redflags  # noqa: E402
from bot.core.text import load_lexicon  # noqa: E402


def leave_one_out(content_dir: Path | None = None) -> tuple[int, list[tuple[str, str, str, tuple[str, ...]]]]:
    """(number of questions, misses as (topic, question, reply kind, reply topics))."""
    content = load_content(content_dir)
    root = content.directory
    lexicon = load_lexicon(root / "lexicon.toml")
    redflags = load_redflags(root / "redflags.toml")
    total = 0
    misses = []
    for topic_id, topic in content.topics.items():
        for k, question in enumerate(topic.questions):
            others = topic.questions[:k] + topic.questions[k + 1 :]
            topics = dict(content.topics)
            topics[topic_id] = topic.model_copy(update={"questions": others})
            engine = AnswerEngine(content.__class__(content.categories, topics, content.messages, root), lexicon, redflags)
            reply = engine.answer(question)
            total += 1
            if reply.kind not in ("answer", "urgent") or reply.topics[:1] != (topic_id,):
                misses.append((topic_id, question, reply.kind, reply.topics))
    return total, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--content", type=Path, default=None, help="content directory (default: content/)")
    parser.add_argument("--quiet", action="store_true", help="print the accuracy only")
    args = parser.parse_args()
    total, misses = leave_one_out(args.content)
    right = total - len(misses)
    print(f"leave-one-out: {right}/{total} = {right / total:.1%}")
    if not args.quiet:
        kinds = Counter(kind for _, _, kind, _ in misses)
        print("misses by reply kind:", dict(kinds))
        for topic_id, question, kind, got in misses:
            print(f"  {topic_id:20} {kind:9} {','.join(got) or '-':40} {question}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
