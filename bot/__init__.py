"""A Telegram bot for people with back spasms."""

__version__ = "0.1.0"
