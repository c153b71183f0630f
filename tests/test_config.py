import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

TOKEN = "1234567:AAH-test-token-that-looks-real-0123456"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "DATABASE_PATH", "LOG_LEVEL", "ADMIN_IDS",
                 "TELEGRAM_RATE_LIMIT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's checkout


def test_defaults(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    s = load_settings()
    assert s.token == TOKEN
    assert s.database_path == Path("data/bot.sqlite3")
    assert s.log_level == "INFO"
    assert s.admin_ids == frozenset()
    assert s.telegram_api_base_url is None
    assert s.telegram_rate_limit == 30
    assert TOKEN not in repr(s) and TOKEN not in str(s.model_dump())


def test_env_file_is_read(tmp_path):
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS=1, 22 ,333\nLOG_LEVEL=debug\n")
    s = load_settings()
    assert s.admin_ids == {1, 22, 333}
    assert s.log_level == "DEBUG"


@pytest.mark.parametrize("value, expected", [("0", 0), ("1", 1), (" 45 ", 45), ("1000", 1000), ("", 30)])
def test_rate_limit_from_0_to_1000(monkeypatch, value, expected):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_RATE_LIMIT", value)
    assert load_settings().telegram_rate_limit == expected


@pytest.mark.parametrize(
    "env, variable",
    [
        ({}, "TELEGRAM_BOT_TOKEN is missing"),
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN is empty"),
        ({"TELEGRAM_BOT_TOKEN": "not-a-token"}, "TELEGRAM_BOT_TOKEN does not look like a bot token"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": "alice,bob"}, "ADMIN_IDS"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": "."}, "DATABASE_PATH"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_RATE_LIMIT": "1001"}, "TELEGRAM_RATE_LIMIT must be a whole number"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_RATE_LIMIT": "-1"}, "TELEGRAM_RATE_LIMIT must be a whole number"),
        ({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_RATE_LIMIT": "30/s"}, "TELEGRAM_RATE_LIMIT must be a whole number"),
    ],
)
def test_bad_settings_name_the_variable(monkeypatch, env, variable):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(variable)
    assert "\n" not in message
    assert TOKEN not in message


def test_cli_exits_2_with_one_line(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": "oops"}
    result = subprocess.run([sys.executable, "-m", "bot"], cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "TELEGRAM_BOT_TOKEN" in lines[0] and "Traceback" not in result.stderr
