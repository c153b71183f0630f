"""The answer engine, built once per version of the content and the code, and kept on disk.

Building it reads some 12 000 example messages and every topic (about 1.4 s on a 2-core machine);
loading the saved copy takes about a fifth of that, so a restart is quick. The file's name is a
hash of every content file and every source file of bot/core: any change builds afresh. A copy
that cannot be read or written only makes the start slower, never stops it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import sys
from pathlib import Path

from bot.core.answers import AnswerEngine

log = logging.getLogger(__name__)

CORE = Path(__file__).resolve().parent / "core"
FORMAT = 1  # bump when what is saved changes in a way the sources' hash would not show
PREFIX = "engine-"


def engine_key(content_dir: Path) -> str:
    """Hash of what the engine is built from: the content, the core code, the Python version."""
    h = hashlib.sha256(f"{FORMAT} {sys.version_info[:3]}".encode())
    for root in (content_dir, CORE):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:32]


def load_engine(content_dir: Path, cache_dir: Path | None) -> AnswerEngine:
    """The engine for `content_dir`: the saved copy in `cache_dir` when it matches, else built
    (and saved there for the next start). `cache_dir=None` always builds."""
    if cache_dir is None:
        return AnswerEngine.from_dir(content_dir)
    path = cache_dir / f"{PREFIX}{engine_key(content_dir)}.pickle"
    try:
        with path.open("rb") as fh:
            engine = pickle.load(fh)  # our own file, in the operator's data folder (mode 600)
        if isinstance(engine, AnswerEngine):
            return engine
        log.warning("engine cache %s holds something else; building afresh", path.name)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a truncated or foreign file: build, and write it anew
        log.warning("engine cache %s unreadable (%s); building afresh", path.name, type(exc).__name__)
    engine = AnswerEngine.from_dir(content_dir)
    _save(engine, path)
    return engine


def _save(engine: AnswerEngine, path: Path) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            pickle.dump(engine, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # whole or not at all, even with two processes starting at once
        for old in path.parent.glob(f"{PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)  # older versions: never read again
    except OSError as exc:
        log.warning("engine cache not written to %s (%s); the next start builds again", path.parent, type(exc).__name__)
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
