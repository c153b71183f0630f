"""What reaches the operator's log while the bot talks to (fake) Telegram."""

import io
import logging

import pytest

from bot.logs import setup_logging

SECRET_WORDS = "my-very-private-sentence about my bladder and back"


@pytest.fixture
def log_stream(fake):
    handlers = []

    def capture(level):
        stream = io.StringIO()
        handlers.append(setup_logging(level, [fake.token], stream=stream))
        return stream

    yield capture
    for handler in handlers:
        logging.getLogger().removeHandler(handler)


async def test_token_never_logged_even_at_debug(fake, bot, log_stream):
    stream = log_stream(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # the worst case: request URLs logged
    try:
        ann = fake.user(201)
        await ann.send("/start")
        await ann.reply()
        fake.inject_error("sendMessage", 502, "Bad Gateway", chat_id=201)
        await ann.send("what causes spasms")
        await fake.wait_until(lambda: any(c.error_code == 502 for c in fake.calls), what="the 502")
        await bot.restart()
    finally:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    out = stream.getvalue()
    assert "getUpdates" in out or "sendMessage" in out  # DEBUG really logged the traffic
    assert fake.token not in out
    assert fake.token.split(":")[1] not in out


async def test_users_words_are_not_logged_at_info(fake, bot, log_stream):
    stream = log_stream(logging.INFO)
    ann = fake.user(202)
    await ann.send(SECRET_WORDS)
    await ann.reply()
    out = stream.getvalue()
    assert "answered free text" in out  # the handler did log, without the words
    assert "private-sentence" not in out
