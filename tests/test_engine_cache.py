"""The saved answer engine (bot.engine_cache): loaded when it matches, rebuilt when anything it
was built from changes, and a bad or unwritable copy only slows the start."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot import engine_cache
from bot.core.answers import AnswerEngine
from bot.core.content import DEFAULT_CONTENT_DIR

MESSAGES = [
    "my back just went, what do i do",  # the acute answer
    "cant feel my bum when i wipe",  # an emergency red flag (the pattern index is rebuilt on load)
    "ice or heat? and should i stay in bed",  # two topics
    "my dog's back legs are wobbly",  # declined: a vet
]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every real build of an engine, by content folder."""
    calls: list[Path] = []
    real = AnswerEngine.from_dir.__func__

    def counted(cls, content_dir=None, question_examples=None):
        calls.append(Path(content_dir))
        return real(cls, content_dir, question_examples)

    monkeypatch.setattr(AnswerEngine, "from_dir", classmethod(counted))
    return calls


def replies(engine: AnswerEngine) -> list[tuple]:
    return [(r.kind, r.topics, r.flag, r.check, r.text) for r in map(engine.answer, MESSAGES)]


def test_a_restart_loads_the_saved_engine_and_answers_the_same(tmp_path: Path, builds: list[Path]) -> None:
    built = engine_cache.load_engine(DEFAULT_CONTENT_DIR, tmp_path)
    saved = list(tmp_path.glob("engine-*.pickle"))
    assert len(saved) == 1 and saved[0].stat().st_mode & 0o777 == 0o600
    loaded = engine_cache.load_engine(DEFAULT_CONTENT_DIR, tmp_path)
    assert len(builds) == 1  # the second start built nothing
    assert loaded is not built and replies(loaded) == replies(built)


def test_changed_content_builds_afresh_and_drops_the_old_copy(tmp_path: Path, builds: list[Path]) -> None:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    cache = tmp_path / "cache"
    engine_cache.load_engine(content, cache)
    first = {p.name for p in cache.iterdir()}
    topics = content / "topics" / "remedies.toml"
    topics.write_text(topics.read_text().replace("Keep moving", "Keep on moving", 1))
    engine = engine_cache.load_engine(content, cache)
    assert len(builds) == 2 and "Keep on moving" in engine.content.topics["keep-moving"].title
    assert {p.name for p in cache.iterdir()}.isdisjoint(first) and len(list(cache.iterdir())) == 1


def test_a_damaged_copy_is_rebuilt_and_replaced(tmp_path: Path, builds: list[Path], caplog) -> None:
    engine_cache.load_engine(DEFAULT_CONTENT_DIR, tmp_path)
    (saved,) = tmp_path.glob("engine-*.pickle")
    saved.write_bytes(saved.read_bytes()[:1000])  # cut short, as by a full disk
    with caplog.at_level(logging.WARNING):
        engine = engine_cache.load_engine(DEFAULT_CONTENT_DIR, tmp_path)
    assert len(builds) == 2 and replies(engine)[0][1] == ("right-now",)
    assert "unreadable" in caplog.text
    engine_cache.load_engine(DEFAULT_CONTENT_DIR, tmp_path)
    assert len(builds) == 2  # the rewritten copy is whole again


def test_a_folder_that_cannot_be_written_only_slows_the_start(tmp_path: Path, builds: list[Path], caplog) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING):
        engine = engine_cache.load_engine(DEFAULT_CONTENT_DIR, blocked / "cache")
    assert replies(engine)[0][1] == ("right-now",) and "not written" in caplog.text
    assert list(tmp_path.glob("**/*.tmp")) == []


def test_no_folder_means_build_every_time(tmp_path: Path, builds: list[Path]) -> None:
    engine_cache.load_engine(DEFAULT_CONTENT_DIR, None)
    engine_cache.load_engine(DEFAULT_CONTENT_DIR, None)
    assert len(builds) == 2


def test_the_key_covers_the_code_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = engine_cache.engine_key(DEFAULT_CONTENT_DIR)
    core = tmp_path / "core"
    shutil.copytree(engine_cache.CORE, core, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(engine_cache, "CORE", core)
    assert engine_cache.engine_key(DEFAULT_CONTENT_DIR) == key
    (core / "answers.py").write_text((core / "answers.py").read_text() + "\n# changed\n")
    assert engine_cache.engine_key(DEFAULT_CONTENT_DIR) != key


def test_an_empty_setting_switches_the_saved_engine_off(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.config import load_settings

    monkeypatch.delenv("ENGINE_CACHE_DIR", raising=False)
    token = "123456:" + "A" * 35
    assert load_settings(telegram_bot_token=token).engine_cache_dir == Path("data/cache")
    assert load_settings(telegram_bot_token=token, engine_cache_dir="  ").engine_cache_dir is None
