"""The command line: check-content, ask, --help, and a real run stopped by SIGTERM."""

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from bot.__main__ import main
from bot.core.content import DEFAULT_CONTENT_DIR
from tests.subprocesses import finish

ROOT = Path(__file__).resolve().parents[1]


def test_check_content_passes_on_shipped_content(capsys):
    assert main(["check-content"]) == 0
    assert "content OK" in capsys.readouterr().out


def test_check_content_names_file_and_field(tmp_path, capsys):
    broken = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, broken)
    causes = broken / "topics" / "causes.toml"
    causes.write_text(causes.read_text().replace('id = "muscle-injury"', 'id = "Muscle Injury!"', 1))
    (broken / "triage.toml").write_text("this is not = = toml")
    assert main(["check-content", "--content", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "topics/causes.toml" in out and ".id" in out
    assert "triage.toml" in out and "TOML" in out


def test_ask_json_shape(capsys):
    assert main(["ask", "--json", "my", "back", "seized", "up", "after", "golf"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"kind", "topics", "score", "text"}
    assert data["kind"] == "answer" and data["topics"]


def test_ask_urgent(capsys):
    assert main(["ask", "--json", "back pain and i wet myself, cant control my bladder"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "urgent" and "999" in data["text"]


def test_help_lists_subcommands():
    result = subprocess.run([sys.executable, "-m", "bot", "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    for command in ("run", "check-content", "ask"):
        assert command in result.stdout


async def test_run_polls_until_sigterm_and_exits_cleanly(fake, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_"))},
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(tmp_path / "nested" / "bot.sqlite3"),
        "PYTHONPATH": str(ROOT),
    }
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                                                stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_until(lambda: fake.polling, timeout=30, what="the bot to start polling")
        ann = fake.user(301)
        await ann.send("/start")
        assert "back spasm" in (await ann.reply(timeout=15)).text.lower()
        proc.send_signal(signal.SIGTERM)
    finally:
        code, _, stderr = await finish(proc, 30)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert fake.token not in stderr
    assert (tmp_path / "nested" / "bot.sqlite3").exists()  # data folder created on first run


async def test_a_token_telegram_refuses_exits_2_naming_the_variable(fake, tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_", "ADMIN_"))},
        "TELEGRAM_BOT_TOKEN": "1234567:this-is-not-the-token-the-server-knows",
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "DATABASE_PATH": str(tmp_path / "bot.sqlite3"),
        "PYTHONPATH": str(ROOT),
    }
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=tmp_path, env=env,
                                                stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 2
    last = stderr.decode().strip().splitlines()[-1]
    assert last.startswith("error: TELEGRAM_BOT_TOKEN was refused")
    assert "Unclosed client session" not in stderr.decode()
    assert "this-is-not-the-token" not in stderr.decode()
