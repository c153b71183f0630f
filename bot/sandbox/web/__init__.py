"""The sandbox web chat: a Telegram-like page in the browser, talking to the fake server.

render.py turns messages into safe HTML, hub.py keeps the live state and streams it,
site.py serves the page and its small JSON API; static/ holds the page itself (plain HTML,
CSS and JS, no build step).
"""
