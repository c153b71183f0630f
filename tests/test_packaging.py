"""The wheel: built offline, installed into a fresh venv, and run from another folder.

`pip install .` must give a bot that starts: content/ (kept at the top of the repository for its
editors) ships inside the package as bot/_content, and the sandbox page's files ship too.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import aiohttp
import pytest

from bot import __version__
from tests.subprocesses import finish, until_polling

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_for_the_wheel():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bot").rglob("__init__.py")}
    missing = found - listed
    assert not missing, f"add {sorted(missing)} to [tool.setuptools] packages in pyproject.toml"
    assert "bot._content" in listed


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv with only the wheel installed; its dependencies come from this environment
    (a .pth file), since nothing may be downloaded."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("bot", "content"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(work / "dist"), str(src)],
                   check=True, timeout=300)
    (wheel,) = (work / "dist").glob("backspasm_bot-*.whl")
    env_dir = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # Appended after the venv's own site-packages, so the installed wheel's `bot` comes first.
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "test-dependencies.pth").write_text("\n".join(sorted(here)) + "\n")
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
                   check=True, timeout=300)
    return env_dir


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_", "CONTENT_DIR", "PYTHON"))}


def installed(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "backspasm-bot"), *args], cwd=cwd, env=env(),
                          capture_output=True, text=True, timeout=120)


def test_installed_bot_uses_its_own_code_and_content(venv, tmp_path):
    probe = subprocess.run(
        [venv / "bin" / "python", "-c", "import bot, bot.core.content as c; print(bot.__file__); print(c.DEFAULT_CONTENT_DIR)"],
        cwd=tmp_path, env=env(), capture_output=True, text=True, check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in probe), probe
    assert probe[1].endswith(os.path.join("bot", "_content"))
    version = installed(venv, "--version", cwd=tmp_path)
    assert version.stdout.strip() == f"backspasm-bot {__version__}"
    check = installed(venv, "check-content", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    # Every content file ships, the red-flag and question examples (.tsv) and the English words (.txt) too:
    # without them the safety question for wordings no rule knows is silently off, and real
    # words get "corrected" into red-flag words.
    examples = subprocess.run(
        [venv / "bin" / "python", "-c", "from bot.core.answers import AnswerEngine; e = AnswerEngine.from_dir(); print(len(e.flag_examples), len(e.normaliser.fixer.real_words), sum(map(len, e._people_questions.values())))"],
        cwd=tmp_path, env=env(), capture_output=True, text=True, check=True,
    ).stdout.split()
    assert int(examples[0]) > 3000 and int(examples[1]) > 30000  # and the English word list (.txt)
    assert int(examples[2]) > 700  # and the questions people wrote (question_examples.tsv)


async def test_installed_bot_talks_to_telegram(venv, fake, tmp_path):
    settings = {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url}
    proc = await asyncio.create_subprocess_exec(
        str(venv / "bin" / "backspasm-bot"), cwd=tmp_path, env={**env(), **settings},
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await until_polling(fake, proc, "the installed bot")
        ann = fake.user(501)
        await ann.send("/start")
        assert "back spasm" in (await ann.reply(timeout=15)).text.lower()
        proc.send_signal(signal.SIGTERM)
    finally:
        code, _, err = await finish(proc)
    assert code == 0, err
    assert (tmp_path / "data" / "bot.sqlite3").exists()


async def test_installed_sandbox_serves_its_page(venv, tmp_path):
    proc = await asyncio.create_subprocess_exec(
        str(venv / "bin" / "python"), "-m", "bot", "sandbox", "--port", "0", cwd=tmp_path, env=env(),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        url = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode().split()[2]
        async with aiohttp.ClientSession() as session:
            for path in ("", "static/chat.js", "static/chat.css"):
                async with session.get(url + path) as response:
                    assert response.status == 200, path
        proc.send_signal(signal.SIGINT)
    finally:
        code, _, err = await finish(proc)
    assert code == 0, err
