"""Command line: run the bot, try it in a browser sandbox, check the content, or ask offline.

Every start-up failure ends with one line on stderr and its own exit code, never a traceback
(at the default log level): the person reading it is setting the bot up, not debugging it.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import json
import os
import socket
import sys
from pathlib import Path

from bot import __version__

EXIT_BAD_SETTINGS = 2
EXIT_BAD_CONTENT = 3
EXIT_NO_TELEGRAM = 4
EXIT_CONFLICT = 5
BOOTSTRAP_RETRIES = 3  # a network blip at start-up is retried; a dead network ends with one line
# Emptied at every start, so never a path an operator chooses (it could be the bot's real one).
SANDBOX_DATABASE = Path("data/sandbox.sqlite3")


def _fail(message: str, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _content_error(exc) -> int:
    return _fail(f"the content has {len(exc.problems)} problem(s); run `python -m bot check-content`",
                 EXIT_BAD_CONTENT)


def _run(args: argparse.Namespace) -> int:
    from bot.config import SettingsError, load_settings
    from bot.core.content import ContentError
    from bot.logs import setup_logging

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_BAD_SETTINGS)
    secrets = [settings.token] + ([settings.webhook_secret.get_secret_value()] if settings.webhook_secret else [])
    secrets += _url_secrets(settings.database_url_value)  # the bot never logs them; masked should a library
    setup_logging(settings.log_level, secrets)

    from bot.app import ALLOWED_UPDATES, StartupError, build_application, gave_way

    try:
        app = build_application(settings, content_dir=args.content)
    except ContentError as exc:
        return _content_error(exc)
    from telegram.error import InvalidToken, NetworkError

    from bot.app import close_transport

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    code = 0
    try:
        if settings.bot_mode == "webhook":
            code = _run_webhook(loop, app, settings, ALLOWED_UPDATES)
        else:
            # run_polling handles SIGINT/SIGTERM and runs post_init/post_shutdown around polling;
            # it calls deleteWebhook first, so a webhook left by webhook mode does not block it.
            app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES, close_loop=False)
        if gave_way(app):
            code = _fail("another copy of this bot is already polling Telegram with the same token "
                         "(409 Conflict): stop it first, or give this one its own token.", EXIT_CONFLICT)
    except InvalidToken:
        code = _fail("TELEGRAM_BOT_TOKEN was refused by Telegram: copy the token again from @BotFather "
                     "(no token yet? try `python -m bot sandbox`).", EXIT_BAD_SETTINGS)
    except NetworkError as exc:
        code = _fail(f"cannot reach the Telegram Bot API ({type(exc).__name__}, after {BOOTSTRAP_RETRIES} retries): "
                     "check the network, or TELEGRAM_API_BASE_URL if you set it.", EXIT_NO_TELEGRAM)
    except StartupError as exc:
        code = _fail(str(exc), EXIT_BAD_SETTINGS)
    finally:
        loop.run_until_complete(close_transport(app))
        loop.close()
    return code


def _run_webhook(loop: asyncio.AbstractEventLoop, app, settings, allowed_updates: list[str]) -> int:
    """Webhook mode (bot.telegram.webhook): the same start-up checks and exit codes as polling."""
    from telegram.error import BadRequest

    from bot.telegram import webhook

    try:
        loop.run_until_complete(webhook.run(app, settings, allowed_updates, bootstrap_retries=BOOTSTRAP_RETRIES))
    except BadRequest as exc:
        return _fail(f"Telegram refused WEBHOOK_URL {settings.webhook_url} ({exc.message}): "
                     "give a public https URL on port 443, 80, 88 or 8443.", EXIT_BAD_SETTINGS)
    except OSError as exc:
        where = f"{settings.webhook_listen}:{settings.webhook_port}"
        if exc.errno == errno.EADDRINUSE:
            return _fail(f"{where} is already in use: pick another WEBHOOK_PORT.", EXIT_BAD_SETTINGS)
        if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
            return _fail(f"cannot serve the webhook on {where}: WEBHOOK_LISTEN is not an address of this machine.",
                         EXIT_BAD_SETTINGS)
        raise
    return 0


def _sandbox(args: argparse.Namespace) -> int:
    from bot.config import LOG_LEVELS, SettingsError, load_content_dir
    from bot.core.content import ContentError
    from bot.logs import setup_logging
    from bot.sandbox.run import Sandbox, serve
    from bot.sandbox.server import DEFAULT_TOKEN

    level = os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        return _fail(f"LOG_LEVEL '{level}' is not a log level: use one of {', '.join(LOG_LEVELS)}.", EXIT_BAD_SETTINGS)
    try:
        content = args.content or load_content_dir()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_BAD_SETTINGS)
    setup_logging(level, [DEFAULT_TOKEN])
    sandbox = Sandbox(SANDBOX_DATABASE, content_dir=content, host=args.host, port=args.port)
    try:
        asyncio.run(serve(sandbox, announce=lambda line: print(line, flush=True)))
    except ContentError as exc:
        return _content_error(exc)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return _fail(f"{args.host}:{args.port} is already in use: pick another with --port.", EXIT_BAD_SETTINGS)
        if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
            return _fail(f"cannot serve on {args.host}: not an address of this machine (--host).", EXIT_BAD_SETTINGS)
        raise
    return 0


def _check_content(args: argparse.Namespace) -> int:
    from bot.config import SettingsError, load_content_dir
    from bot.core.checks import check_all

    try:
        problems, summary = check_all(args.content or load_content_dir())
    except SettingsError as exc:
        return _fail(str(exc), EXIT_BAD_SETTINGS)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(summary)
    return 0


def _ask(args: argparse.Namespace) -> int:
    from bot.config import SettingsError, load_content_dir
    from bot.core.answers import AnswerEngine
    from bot.core.content import ContentError, plain_text

    try:
        engine = AnswerEngine.from_dir(args.content or load_content_dir())
    except SettingsError as exc:
        return _fail(str(exc), EXIT_BAD_SETTINGS)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_CONTENT
    reply = engine.answer(" ".join(args.question))
    if args.json:
        print(json.dumps(reply.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"[{reply.kind}] {', '.join(reply.topics)} (score {reply.score:.2f})\n")
        print(plain_text(reply.text))
    return 0


def _url_secrets(url: str | None) -> list[str]:
    """The password in a DATABASE_URL, and the URL itself: strings the logs must mask."""
    if not url:
        return []
    from urllib.parse import unquote, urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return [url] + ([p for p in {password, unquote(password)} if p] if password else [])


def _backup(args: argparse.Namespace) -> int:
    import sqlite3

    from bot.config import SettingsError, load_database_path, load_database_url
    from bot.storage.db import backup

    try:
        url = None if args.database else load_database_url()
        source = args.database or load_database_path()
    except SettingsError as exc:
        return _fail(str(exc), EXIT_BAD_SETTINGS)
    if url:
        from bot.storage.pg import describe_url

        return _fail(f"DATABASE_URL names a PostgreSQL database ({describe_url(url)}): back it up with pg_dump, "
                     "e.g. pg_dump --format=custom --file=bot.dump \"$DATABASE_URL\"; this command copies SQLite files.",
                     EXIT_BAD_SETTINGS)
    try:
        target = backup(source, args.file)
    except (OSError, sqlite3.Error) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return _fail(f"cannot back up {source} to {args.file} ({reason}): check both paths "
                     "(DATABASE_PATH or --database names the bot's database).", EXIT_BAD_SETTINGS)
    print(f"backed up {source} to {target} (owner-only)")
    return 0


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError("a port is a number from 0 to 65535")
    return port


def build_parser(prog: str = "python -m bot") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A Telegram bot for people with back spasms. With no subcommand, runs the bot.",
    )
    parser.add_argument("--version", action="version", version=f"backspasm-bot {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", type=Path, default=None,
                        help="content folder (default: CONTENT_DIR, else the content shipped with the bot)")
    parser.set_defaults(content=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[common], help="run the bot until Ctrl+C / SIGTERM (the default): long polling, or a webhook with BOT_MODE=webhook")
    sandbox = sub.add_parser(
        "sandbox", parents=[common],
        help="try the bot in your browser: no token, no network (a fake Telegram on this machine)",
        description="Start the bot against a fake Telegram on this machine and serve a chat page for it. "
                    f"Its own database, {SANDBOX_DATABASE}, starts empty on every run.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to serve the page on (default 127.0.0.1)")
    sandbox.add_argument("--port", type=_port, default=8088, help="port of the page (default 8088; 0 picks a free one)")
    sub.add_parser("check-content", parents=[common], help="validate every file in content/ and name each problem")
    backup = sub.add_parser(
        "backup", help="copy the database to FILE while the bot runs (SQLite's online backup, one short read)",
        description="Copy the bot's database to FILE, consistent and owner-only, while the bot keeps running. "
                    "It reads one snapshot in one step, so it never holds the bot or /forget up for longer "
                    "than the copy takes.",
    )
    backup.add_argument("file", type=Path, help="where to write the copy (replaced if it exists)")
    backup.add_argument("--database", type=Path, default=None,
                        help="the database to copy (default: DATABASE_PATH, else data/bot.sqlite3)")
    ask = sub.add_parser("ask", parents=[common], help="answer a question offline, as the bot would")
    ask.add_argument("question", nargs="+", help="the question, as a user would type it")
    ask.add_argument("--json", action="store_true", help="print kind, topics, score and text as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    prog = "backspasm-bot" if Path(sys.argv[0]).name == "backspasm-bot" else "python -m bot"
    args = build_parser(prog).parse_args(argv)
    command = args.command or "run"
    commands = {"run": _run, "sandbox": _sandbox, "check-content": _check_content, "ask": _ask, "backup": _backup}
    return commands[command](args)


if __name__ == "__main__":
    sys.exit(main())
