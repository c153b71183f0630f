"""The content model: topics, categories and interface texts, loaded from TOML files in `content/`.

Content is data a non-programmer edits, so every error names the file and the field it came from.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from bot.core.telegram_html import check_message_text


def _bundled_content_dir() -> Path:
    """The content that ships with the bot. An installed wheel carries it as bot/_content
    (pyproject maps the top-level content/ folder there); a source checkout or an editable
    install reads the repository's content/ folder itself, so edits show up at once."""
    shipped = files("bot").joinpath("_content")
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parents[2] / "content"


DEFAULT_CONTENT_DIR = _bundled_content_dir()

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
MAX_BUTTON_TITLE = 40


NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Button labels are plain text: no tags or entities, short enough for a phone.
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BUTTON_TITLE,
                                         pattern=r"^[^<>&]*$")]


M = TypeVar("M", bound=BaseModel)


class ContentError(Exception):
    """One or more problems in the content files, each naming file and field."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class StrictModel(BaseModel):
    """Content files are edited by hand: unknown fields are typos, so they are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Topic(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    title: Label
    body: str = Field(min_length=1)
    keywords: tuple[NonEmpty, ...] = Field(min_length=1)
    synonyms: tuple[NonEmpty, ...] = ()
    questions: tuple[NonEmpty, ...] = Field(min_length=1)
    related: tuple[NonEmpty, ...] = Field((), max_length=3)
    source: str = Field(min_length=1)
    category: str = ""  # filled from the file's `category`

    @field_validator("body")
    @classmethod
    def _body_fits_telegram(cls, body: str) -> str:
        error = check_message_text(body)
        if error:
            raise ValueError(error)
        return body


class Category(StrictModel):
    id: str = Field(pattern=ID_PATTERN)
    title: Label
    intro: str = Field(min_length=1)


class TopicFile(StrictModel):
    category: str = Field(pattern=ID_PATTERN)
    topic: tuple[Topic, ...] = Field(min_length=1)


class CategoryFile(StrictModel):
    category: tuple[Category, ...] = Field(min_length=1)


class Buttons(StrictModel):
    """Labels of the buttons that are not a category or a topic."""

    triage: Label
    reminders: Label
    ask: Label
    about: Label
    back: Label
    main_menu: Label
    yes: Label = "Yes"
    no: Label = "No"
    open_private: Label = "💬 Open a private chat"
    resume_reminders: Label = "Back to reminder set-up"


class BotProfile(StrictModel):
    """What Telegram shows about the bot: its command list and descriptions."""

    description: str = Field(min_length=1, max_length=512)
    short_description: str = Field(min_length=1, max_length=120)
    commands: dict[str, str] = Field(min_length=1, max_length=100)

    @field_validator("commands")
    @classmethod
    def _commands(cls, commands: dict[str, str]) -> dict[str, str]:
        for name, description in commands.items():
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise ValueError(f"command '{name}' must be 1-32 of a-z, 0-9, _")
            if not 1 <= len(description) <= 256:
                raise ValueError(f"description of '{name}' must be 1-256 characters")
        return commands


class Messages(StrictModel):
    """Every sentence the bot says that is not a topic body."""

    buttons: Buttons
    profile: BotProfile

    disclaimer: str
    welcome: str
    main_menu: str
    help: str
    about: str
    ask_prompt: str
    no_match: str
    not_back_part: str = Field(pattern=r"\{part\}")
    not_back_animal: str = Field(pattern=r"\{animal\}")
    two_topics: str
    medicine_note: str
    clarify: str
    unsupported_media: str
    stale_button: str
    coming_soon: str
    unknown_command: str
    cancelled: str
    emergency: str
    same_day: str
    # Under the answer to something typed while a reminder question waits for a time or zone.
    reminder_still_open: str = "Your reminder set-up is still waiting for your answer."
    # To a chat sending messages much faster than anyone types; its excess is not answered.
    slow_down: str = "Please slow down a little. I answer one message at a time, so send your question again in a few seconds."
    urgent_because: str = Field(default="You mentioned: {sign}.", pattern=r"\{sign\}")
    safety_answered: str = Field(default="You answered: {answer}", pattern=r"\{answer\}")
    greeting: str
    ack: str = "👍 Ask me anything about back spasms whenever you like."
    other_language: str = "Sorry, I only speak English. Please write your question in English, or pick a topic below."
    thanks: str
    goodbye: str
    # Group chats (bot.telegram.groups): what is done only in a private chat, and a tap on
    # someone else's buttons (a callback pop-up: plain text, at most 200 characters).
    private_triage: str = ("The symptom check asks personal questions, so I only run it in a private chat. "
                           "Tap below to start it there.")
    private_reminders: str = ("Reminders are set up in a private chat with me, so they reach only you. "
                              "Tap below to open it.")
    private_forget: str = "What I keep about you is deleted in a private chat with me. Tap below to open it."
    not_your_button: str = Field(default="These buttons are for the person who asked. Send /menu to get your own.",
                                 max_length=200, pattern=r"^[^<>&]*$")

    @field_validator("*")
    @classmethod
    def _fits_telegram(cls, text):
        if not isinstance(text, str):
            return text
        error = check_message_text(text)
        if error:
            raise ValueError(error)
        return text


@dataclass(frozen=True)
class Content:
    categories: tuple[Category, ...]
    topics: dict[str, Topic]  # by id, in file order
    messages: Messages
    directory: Path

    def topics_in(self, category_id: str) -> list[Topic]:
        return [t for t in self.topics.values() if t.category == category_id]

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)


def read_toml(path: Path, problems: list[str], label: str | None = None) -> dict | None:
    label = label or path.name
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(f"{label}: file is missing")
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{label}: not valid TOML ({exc})")
    return None


def describe_errors(file_label: str, exc: ValidationError, data: dict | None = None) -> list[str]:
    """Turn pydantic errors into 'file: field: message' lines an editor can act on."""
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        # Replace list indexes by the item's id where there is one: "topic[muscle-injury].body".
        where, node = [], data
        for part in loc:
            if isinstance(part, int) and isinstance(node, list) and part < len(node):
                node = node[part]
                label = node.get("id") if isinstance(node, dict) else None
                where[-1] = f"{where[-1]}[{label or part}]" if where else f"[{part}]"
            else:
                where.append(str(part))
                node = node.get(part) if isinstance(node, dict) else None
        lines.append(f"{file_label}: {'.'.join(where) or '(top level)'}: {err['msg']}")
    return lines


def load_model(path: Path, model: type[M], problems: list[str], label: str | None = None) -> M | None:
    """Read one TOML file into `model`; on failure add 'file: field: message' lines and return None."""
    label = label or path.name
    data = read_toml(path, problems, label)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems += describe_errors(label, exc, data)
        return None


def load_one(path: Path, model: type[M], error: type[ContentError] | None = None) -> M:
    """load_model for a file that stands alone: raise ContentError (or `error`) with its problems."""
    problems: list[str] = []
    parsed = load_model(path, model, problems)
    if parsed is None:
        raise (error or ContentError)(problems)
    return parsed


def load_content(directory: Path | str | None = None) -> Content:
    """Load and cross-check all content; raise ContentError listing every problem found."""
    root = Path(directory) if directory else DEFAULT_CONTENT_DIR
    problems: list[str] = []

    category_file = load_model(root / "categories.toml", CategoryFile, problems)
    categories = category_file.category if category_file else ()
    messages = load_model(root / "messages.toml", Messages, problems)

    topics: dict[str, Topic] = {}
    where: dict[str, str] = {}
    topic_files = sorted((root / "topics").glob("*.toml"))
    if not topic_files:
        problems.append("topics/: no topic files found")
    for path in topic_files:
        label = f"topics/{path.name}"
        parsed = load_model(path, TopicFile, problems, label)
        if parsed is None:
            continue
        for topic in parsed.topic:
            if topic.id in topics:
                problems.append(f"{label}: topic[{topic.id}].id: already used in {where[topic.id]}")
                continue
            topics[topic.id] = topic.model_copy(update={"category": parsed.category})
            where[topic.id] = label

    category_ids = {c.id for c in categories}
    if len(category_ids) != len(categories):
        problems.append("categories.toml: category.id: the same id is used twice")
    for topic in topics.values():
        label = where[topic.id]
        if categories and topic.category not in category_ids:
            problems.append(f"{label}: category: '{topic.category}' is not in categories.toml")
        for rel in topic.related:
            if rel not in topics:
                problems.append(f"{label}: topic[{topic.id}].related: unknown topic '{rel}'")
            elif rel == topic.id:
                problems.append(f"{label}: topic[{topic.id}].related: a topic cannot relate to itself")
    for cat in categories:
        if topics and not any(t.category == cat.id for t in topics.values()):
            problems.append(f"categories.toml: category[{cat.id}]: has no topics")

    if problems or messages is None:
        raise ContentError(problems or ["messages.toml: could not be read"])
    return Content(categories=categories, topics=topics, messages=messages, directory=root)


_TAG = re.compile(r"<[^>]+>")


def plain_text(html_text: str) -> str:
    """Body text without tags or entities, for search and readability scoring."""
    import html

    return html.unescape(_TAG.sub("", html_text))
