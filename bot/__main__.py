"""Command line: run the bot, check the content, or ask the engine a question offline.

Every start-up failure ends with one line on stderr and its own exit code, never a traceback
(at the default log level): the person reading it is setting the bot up, not debugging it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot import __version__

EXIT_BAD_SETTINGS = 2
EXIT_BAD_CONTENT = 3
EXIT_NO_TELEGRAM = 4
EXIT_CONFLICT = 5
BOOTSTRAP_RETRIES = 3  # a network blip at start-up is retried; a dead network ends with one line


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
    setup_logging(settings.log_level, [settings.token])

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
        # run_polling handles SIGINT/SIGTERM and runs post_init/post_shutdown around polling.
        app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES, close_loop=False)
        if gave_way(app):
            code = _fail("another copy of this bot is already polling Telegram with the same token "
                         "(409 Conflict): stop it first, or give this one its own token.", EXIT_CONFLICT)
    except InvalidToken:
        code = _fail("TELEGRAM_BOT_TOKEN was refused by Telegram: copy the token again from @BotFather.",
                     EXIT_BAD_SETTINGS)
    except NetworkError as exc:
        code = _fail(f"cannot reach the Telegram Bot API ({type(exc).__name__}, after {BOOTSTRAP_RETRIES} retries): "
                     "check the network, or TELEGRAM_API_BASE_URL if you set it.", EXIT_NO_TELEGRAM)
    except StartupError as exc:
        code = _fail(str(exc), EXIT_BAD_SETTINGS)
    finally:
        loop.run_until_complete(close_transport(app))
        loop.close()
    return code


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
    sub.add_parser("run", parents=[common], help="run the bot with long polling until Ctrl+C / SIGTERM (the default)")
    sub.add_parser("check-content", parents=[common], help="validate every file in content/ and name each problem")
    ask = sub.add_parser("ask", parents=[common], help="answer a question offline, as the bot would")
    ask.add_argument("question", nargs="+", help="the question, as a user would type it")
    ask.add_argument("--json", action="store_true", help="print kind, topics, score and text as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    prog = "backspasm-bot" if Path(sys.argv[0]).name == "backspasm-bot" else "python -m bot"
    args = build_parser(prog).parse_args(argv)
    command = args.command or "run"
    return {"run": _run, "check-content": _check_content, "ask": _ask}[command](args)


if __name__ == "__main__":
    sys.exit(main())
