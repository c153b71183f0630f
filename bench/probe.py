"""Score a file of your own probe messages: one `topic-id<TAB>text` a line, `none` for messages
the bot should decline (no_match).

    python bench/probe.py /tmp/probe.tsv [CONTENT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.core.answers import AnswerEngine  # noqa: E402


def main(path: str, content_dir: str | None = None) -> int:
    engine = AnswerEngine.from_dir(content_dir)
    scores = {"in": [0, 0], "out": [0, 0]}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        expected, text = line.split("\t", 1)
        reply = engine.answer(text)
        if expected == "none":
            ok = reply.kind == "no_match"
            scores["out"][0] += ok
            scores["out"][1] += 1
        else:
            ok = reply.kind in ("answer", "urgent") and reply.topics[:1] == (expected,)
            scores["in"][0] += ok
            scores["in"][1] += 1
        if not ok:
            print(f"  MISS {expected:20} got {reply.kind:8} {','.join(reply.topics) or '-':40} {text}")
    for name, (right, total) in scores.items():
        if total:
            print(f"{name}-scope: {right}/{total} = {right / total:.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
