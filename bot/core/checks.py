"""Everything `python -m bot check-content` checks, in one pass over content/.

Each loader already refuses what would break the bot (schema, HTML, lengths, ids); this adds the
editorial rules that keep the bot safe to read in pain: a one-line disclaimer, emergency numbers
where they must be, and button data within Telegram's 64 bytes.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.content import DEFAULT_CONTENT_DIR, Content, ContentError, load_content

EMERGENCY_NUMBERS = ("112", "911", "999")
MAX_CALLBACK_BYTES = 64


def _editorial(content: Content) -> list[str]:
    problems = []
    messages = content.messages
    if "\n" in messages.disclaimer.strip():
        problems.append("messages.toml: disclaimer: must be one line")
    for name in ("emergency",):
        text = getattr(messages, name)
        missing = [n for n in EMERGENCY_NUMBERS if n not in text]
        if missing:
            problems.append(f"messages.toml: {name}: must name the emergency numbers (missing {', '.join(missing)})")
    for topic in content.topics.values():
        # The longest button data the menus build from an id: "t:<topic id>".
        if len(f"t:{topic.id}".encode()) > MAX_CALLBACK_BYTES:
            problems.append(f"topic {topic.id}: id: too long for a button")
    return problems


def check_all(directory: Path | str | None = None) -> tuple[list[str], str]:
    """(problems, summary): every problem found in every content file, or a one-line summary."""
    from bot.core.answers import AnswerEngine
    from bot.core.reminder_content import load_reminder_content
    from bot.core.triage import load_triage

    root = Path(directory) if directory else DEFAULT_CONTENT_DIR
    problems: list[str] = []
    counts: dict[str, int] = {}

    content = None
    try:
        content = load_content(root)
        problems += _editorial(content)
        counts["topics"] = len(content.topics)
        counts["categories"] = len(content.categories)
    except ContentError as exc:
        problems += exc.problems
    try:
        triage = load_triage(root / "triage.toml")
        counts["triage questions"] = len(triage.questions)
    except ContentError as exc:
        problems += exc.problems
    try:
        reminders = load_reminder_content(root)
        counts["stretches"] = len(reminders.stretches)
        counts["hydration tips"] = len(reminders.tips)
    except ContentError as exc:
        problems += exc.problems
    if content is not None:
        try:
            AnswerEngine.from_dir(root)  # lexicon.toml and redflags.toml
        except ContentError as exc:
            problems += exc.problems

    summary = "content OK: " + ", ".join(f"{n} {what}" for what, n in counts.items())
    return problems, summary
