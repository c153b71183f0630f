"""Logging that never shows the bot token.

httpx logs every request URL at INFO, and Bot API URLs contain the token; exceptions from the
network layer can carry it too. A filter on the handler rewrites every record after formatting,
so the token is masked whatever logger or level produced it.
"""

from __future__ import annotations

import logging
import re
import sys

REDACTED = "[token hidden]"
# Any token-shaped string, in case a different token (an old one, a typo) reaches a log.
_TOKEN_SHAPE = re.compile(r"\d{5,20}:[A-Za-z0-9_-]{30,}")


class QuietStartupFailures(logging.Filter):
    """Drop the traceback python-telegram-bot logs when its start-up retries give up.

    It raises the same error right after, and the command line turns that into one line an
    operator can act on; the traceback is kept at DEBUG, for whoever is debugging.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or not record.name.startswith("telegram"):
            return True
        if not record.getMessage().startswith("Network Retry Loop (Bootstrap"):
            return True
        return logging.getLogger().getEffectiveLevel() <= logging.DEBUG


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: list[str], fmt: str | None = None):
        super().__init__(fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s")
        self._secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return _TOKEN_SHAPE.sub(REDACTED, text)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


def setup_logging(level: int | str, secrets: list[str], stream=None) -> logging.Handler:
    """Configure the root logger once; return the handler (tests attach their own stream)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets))
    handler.addFilter(QuietStartupFailures())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx and the scheduler are chatty at INFO; their lines add nothing for an operator.
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
