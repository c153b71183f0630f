"""Lint and types run with the tests, so CI (which runs exactly the README's test command) keeps
them clean: ruff (pyflakes, pycodestyle errors, bugbear, import order; pyproject.toml [tool.ruff])
on all the code, mypy on the pure core and the storage layer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TYPED = ["bot/core", "bot/storage"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_is_clean():
    pytest.importorskip("ruff")
    result = run("ruff", "check", "bot", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean_on_the_core_and_storage():
    pytest.importorskip("mypy")
    result = run("mypy", *TYPED)
    assert result.returncode == 0, result.stdout + result.stderr
