"""The reminder dispatcher's Telegram side: its `Sender`, and its job on the JobQueue.

`TelegramSender.send_reminder` renders a reminder (text and Done / Snooze / Stop buttons), sends it
with python-telegram-bot and turns whatever happens into a bot.reminders.sender.SendResult, so the
dispatcher never sees a Telegram or HTTP exception:

  message sent                                -> SENT (its message id)
  429 Too Many Requests                       -> RETRY_LATER, retry_after from Telegram
  401/404 token refused                       -> RETRY_LATER, retry_after 30 s (nothing can be sent)
  5xx, or no connection could be made         -> RETRY_LATER (certainly not delivered)
  connection dropped or timed out after the
  request went out                            -> UNKNOWN (Telegram may have delivered it)
  403 (blocked, deactivated), chat not found  -> GONE
  any other 400 or Telegram error             -> REFUSED

"Certainly not delivered" rests on the HTTP backend: bot.telegram.aiohttp_request chains a
`NotSent` when no connection was made, and PTB's httpx backend raises connect/write errors that
say the same; a 5xx is Telegram's own answer (no exception cause).
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from typing import Any

import httpx
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application, ContextTypes
from telegram.warnings import PTBDeprecationWarning

from bot.core.reminder_content import ReminderContent
from bot.reminders import dispatcher
from bot.reminders.sender import Reminder, SendResult
from bot.telegram.aiohttp_request import NotSent
from bot.telegram.reminder_ui import reminder_keyboard, reminder_text
from bot.telegram.services import KEY, Services

# Errors raised before the request could reach Telegram, so sending again cannot duplicate it:
# from the bot's aiohttp backend, and from PTB's default httpx one.
_NOT_SENT = (NotSent, httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)
_CHAT_GONE = ("chat not found", "user is deactivated", "bot was blocked", "bot was kicked", "peer_id_invalid")
TOKEN_PAUSE = 30.0  # seconds: with the token refused nothing can be sent; try again after this
SENDER_KEY = "reminder_sender"


class TelegramSender:
    """bot.reminders.sender.Sender on a python-telegram-bot `Bot`."""

    def __init__(self, bot: Bot, content: ReminderContent):
        self.bot = bot
        self.content = content

    async def send_reminder(self, reminder: Reminder) -> SendResult:
        text = reminder_text(self.content, reminder.kind, reminder.key, reminder.per_day)
        markup = reminder_keyboard(self.content, reminder.key)
        try:
            message = await self.bot.send_message(reminder.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
        except RetryAfter as exc:
            return SendResult.retry_later("429", retry_after=retry_after_seconds(exc))
        except Forbidden:
            return SendResult.gone("403")
        except BadRequest as exc:
            if any(gone in str(exc).lower() for gone in _CHAT_GONE):
                return SendResult.gone("chat not found")
            return SendResult.refused(str(exc)[:200])
        except InvalidToken:
            return SendResult.retry_later("token refused", retry_after=TOKEN_PAUSE)
        except (TimedOut, NetworkError) as exc:
            cause = exc.__cause__
            if cause is None or isinstance(cause, _NOT_SENT):  # a 5xx, or no connection at all
                return SendResult.retry_later(type(cause or exc).__name__ + ": " + str(exc)[:150])
            return SendResult.unknown(f"answer lost ({type(cause).__name__})")
        except TelegramError as exc:
            return SendResult.refused(f"{type(exc).__name__}: {str(exc)[:150]}")
        return SendResult.sent(message.message_id)


def retry_after_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after in seconds, through its public attribute (an int now, a timedelta
    once PTB switches; reading the int form warns about that switch)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def sender_for(app: Application) -> TelegramSender:
    """The application's sender (one per application, on its own bot)."""
    svc: Services = app.bot_data[KEY]
    sender = svc.extras.get(SENDER_KEY)
    if sender is None or sender.bot is not app.bot:
        sender = svc.extras[SENDER_KEY] = TelegramSender(app.bot, svc.reminders)
    return sender


async def tick(app: Application, now_utc: datetime, **options: Any) -> dispatcher.TickReport:
    """One dispatcher tick for this application at `now_utc` (tests, the sandbox)."""
    return await dispatcher.tick(sender_for(app), app.bot_data[KEY], now_utc, **options)


def schedule(app: Application, interval: float) -> None:
    """Run the dispatcher every `interval` seconds (at most dispatcher.MAX_INTERVAL) on the JobQueue.

    Its first run, a second after start-up, also takes back the claims a killed process left.
    """

    async def job(context: ContextTypes.DEFAULT_TYPE) -> None:
        svc: Services = context.application.bot_data[KEY]
        if svc.db is None:
            return
        await dispatcher.run_job(sender_for(context.application), svc, svc.clock)

    app.job_queue.run_repeating(
        job,
        interval=min(float(interval), dispatcher.MAX_INTERVAL),
        first=1.0,
        name="reminders",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )
