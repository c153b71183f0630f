"""Command line: run the bot, check the content, or ask the engine a question offline."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

EXIT_BAD_SETTINGS = 2
EXIT_BAD_CONTENT = 3
EXIT_NO_TELEGRAM = 4
BOOTSTRAP_RETRIES = 3  # a network blip at start-up is retried; a dead network ends with one line


def _run(args: argparse.Namespace) -> int:
    from bot.config import SettingsError, load_settings
    from bot.core.content import ContentError
    from bot.logs import setup_logging

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    setup_logging(settings.log_level, [settings.token])

    from bot.app import ALLOWED_UPDATES, build_application

    try:
        app = build_application(settings, content_dir=args.content)
    except ContentError as exc:
        print(f"error: the content has {len(exc.problems)} problem(s); run `python -m bot check-content`",
              file=sys.stderr)
        return EXIT_BAD_CONTENT
    from telegram.error import InvalidToken, NetworkError

    from bot.app import close_transport

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    code = 0
    try:
        # run_polling handles SIGINT/SIGTERM and runs post_init/post_shutdown around polling.
        app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=BOOTSTRAP_RETRIES, close_loop=False)
    except InvalidToken:
        print("error: TELEGRAM_BOT_TOKEN was refused by Telegram: copy the token again from @BotFather.",
              file=sys.stderr)
        code = EXIT_BAD_SETTINGS
    except NetworkError as exc:
        print(f"error: cannot reach the Telegram Bot API ({type(exc).__name__}): check the network, "
              "or TELEGRAM_API_BASE_URL if you set it.", file=sys.stderr)
        code = EXIT_NO_TELEGRAM
    finally:
        loop.run_until_complete(close_transport(app))
        loop.close()
    return code


def _check_content(args: argparse.Namespace) -> int:
    from bot.core.checks import check_all

    problems, summary = check_all(args.content)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print(summary)
    return 0


def _ask(args: argparse.Namespace) -> int:
    from bot.core.answers import AnswerEngine
    from bot.core.content import ContentError, plain_text

    try:
        engine = AnswerEngine.from_dir(args.content)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="A Telegram bot for people with back spasms. With no subcommand, runs the bot.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", type=Path, default=None, help="content folder (default: the bundled content/)")
    parser.set_defaults(content=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[common], help="run the bot with long polling until Ctrl+C / SIGTERM (the default)")
    sub.add_parser("check-content", parents=[common], help="validate every file in content/ and name each problem")
    ask = sub.add_parser("ask", parents=[common], help="answer a question offline, as the bot would")
    ask.add_argument("question", nargs="+", help="the question, as a user would type it")
    ask.add_argument("--json", action="store_true", help="print kind, topics, score and text as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    return {"run": _run, "check-content": _check_content, "ask": _ask}[command](args)


if __name__ == "__main__":
    sys.exit(main())
