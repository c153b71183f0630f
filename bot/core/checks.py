"""Everything `python -m bot check-content` checks, in one pass over content/.

Each loader already refuses what would break the bot (schema, HTML, lengths, ids); this adds the
editorial rules that keep the bot safe to read in pain: a one-line disclaimer, emergency numbers
where they must be, and button data within Telegram's 64 bytes.
"""

from __future__ import annotations

from pathlib import Path

from bot.core.content import DEFAULT_CONTENT_DIR, Content, ContentError, load_content
from bot.core.triage_model import Triage

EMERGENCY_NUMBERS = ("112", "911", "999")
MAX_CALLBACK_BYTES = 64
SAME_DAY_PLACES = ("GP", "111", "urgent care")


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


def _triage_editorial(triage: Triage) -> list[str]:
    """The outcomes tell people what to do: who to call first, and which new signs change the plan."""
    problems = []
    outcomes = triage.outcomes

    def missing(text: str, needed: tuple[str, ...]) -> list[str]:
        return [n for n in needed if n not in text]

    # The emergency outcome's first line is the action, with every number.
    gaps = missing(outcomes.emergency.headline, EMERGENCY_NUMBERS)
    if gaps:
        problems.append(f"triage.toml: outcomes.emergency.headline: must name the emergency numbers (missing {', '.join(gaps)})")
    gaps = missing(outcomes.emergency.body, ("A&amp;E", "ER", "drive", "wait"))
    if gaps:
        problems.append(f"triage.toml: outcomes.emergency.body: must say A&amp;E / ER, not to drive, not to wait (missing {', '.join(gaps)})")
    gaps = missing(outcomes.same_day.body, SAME_DAY_PLACES)
    if gaps:
        problems.append(f"triage.toml: outcomes.same_day.body: must say where to go (missing {', '.join(gaps)})")
    # Two tiers: which new signs mean 999 (every outcome short of one), and which mean a doctor today.
    for level in ("same_day", "appointment", "self_care"):
        needed = EMERGENCY_NUMBERS + (() if level == "same_day" else SAME_DAY_PLACES)
        gaps = missing(getattr(outcomes, level).safety_net, needed)
        if gaps:
            problems.append(f"triage.toml: outcomes.{level}.safety_net: must name {', '.join(gaps)}")
    return problems


def _triage_flags(triage: Triage, flag_levels: dict[str, str]) -> list[str]:
    """Each red flag the check asks about is a flag of redflags.toml, asked at that flag's level."""
    problems = []
    for q in triage.questions:
        for flag in q.flags:
            level = flag_levels.get(flag)
            if level is None:
                problems.append(f"triage.toml: questions[{q.id}].flags: '{flag}' is not a flag in redflags.toml")
            elif level != q.level:
                problems.append(
                    f"triage.toml: questions[{q.id}].flags: '{flag}' is a {level} flag in redflags.toml, "
                    f"but '{q.id}' is a {q.level} question"
                )
    return problems


def check_all(directory: Path | str | None = None) -> tuple[list[str], str]:
    """(problems, summary): every problem found in every content file, or a one-line summary."""
    from bot.core.answers import AnswerEngine
    from bot.core.redflags import load_redflags
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
        problems += _triage_editorial(triage)
        try:
            redflags = load_redflags(root / "redflags.toml")
        except ContentError:
            redflags = None  # reported below, with the answer engine
        if redflags is not None:
            problems += _triage_flags(triage, {f.id: f.level for f in redflags.flags})
            if content is not None:
                problems += [
                    f"redflags.toml: {c.id}: answered_by: unknown topic '{t}'"
                    for c in redflags.checks for t in c.answered_by if t not in content.topics
                ]
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
