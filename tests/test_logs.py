import io
import logging

from bot.logs import REDACTED, setup_logging

TOKEN = "1234567:AAH-test-token-that-looks-real-0123456"


def test_token_is_masked_in_messages_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = setup_logging(logging.DEBUG, [TOKEN], stream=stream)
    try:
        log = logging.getLogger("httpx")
        log.warning("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
        logging.getLogger("x").error("plain %s", f"bot{TOKEN}/sendMessage")
        try:
            raise RuntimeError(f"failed calling https://api.telegram.org/bot{TOKEN}/getUpdates")
        except RuntimeError:
            logging.getLogger("x").exception("boom")
        other = "98765:ZZZ-another-token-shape-abcdefghijkl"
        logging.getLogger("x").warning("old token %s", other)
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert TOKEN not in out
    assert "98765:ZZZ" not in out
    assert out.count(REDACTED) == 4  # getMe, sendMessage, the traceback, the other token


def test_httpx_request_lines_are_quiet_at_info():
    stream = io.StringIO()
    handler = setup_logging(logging.INFO, [TOKEN], stream=stream)
    try:
        logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot%s/getMe", TOKEN)
    finally:
        logging.getLogger().removeHandler(handler)
    assert stream.getvalue() == ""
