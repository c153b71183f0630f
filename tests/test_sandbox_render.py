"""What the sandbox page is given to show: Telegram formatting rebuilt as safe, well-formed HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bot.core.telegram_html import parse_html_entities
from bot.sandbox.models import ChatMessage
from bot.sandbox.web.render import message_view, to_html

ALLOWED = {"b", "i", "u", "s", "code", "pre", "blockquote", "a", "span"}


class Tags(HTMLParser):
    """Collects every tag and checks they nest properly."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)
        self.seen.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()


def tags_of(markup: str) -> Tags:
    parser = Tags()
    parser.feed(markup)
    parser.close()
    assert parser.stack == [], f"unclosed: {parser.stack}"
    return parser


def test_user_text_is_escaped_not_run():
    markup = to_html('<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"')
    assert "<script" not in markup and "<img" not in markup
    assert tags_of(markup).seen == []
    assert "&lt;script&gt;" in markup and "&amp;" in markup


def test_bot_formatting_becomes_only_whitelisted_tags():
    text, entities = parse_html_entities(
        '<b>Bold <i>both</i></b> <u>u</u> <s>s</s> <code>x&lt;y</code> <tg-spoiler>secret</tg-spoiler> '
        '<a href="https://www.nhs.uk/">NHS</a> <a href="javascript:alert(1)">trap</a> '
        '<blockquote>quote</blockquote> <pre><code class="language-python">print(1)</code></pre>'
    )
    markup = to_html(text, entities)
    found = tags_of(markup).seen
    assert {tag for tag, _ in found} <= ALLOWED
    links = [attrs for tag, attrs in found if tag == "a"]
    assert links == [{"href": "https://www.nhs.uk/", "target": "_blank", "rel": "noopener noreferrer"}]
    assert "javascript:" not in "".join(a.get("href", "") for _, a in found)  # shown as text only
    assert "<code>x&lt;y</code>" in markup
    assert 'class="language-python"' in markup


def test_entities_that_overlap_without_nesting_still_give_balanced_html():
    entities = [{"type": "bold", "offset": 0, "length": 4}, {"type": "italic", "offset": 2, "length": 4}]
    markup = to_html("abcdef", entities)
    tags_of(markup)
    assert markup == "<b>ab<i>cd</i></b><i>ef</i>"


def test_offsets_are_utf16_like_the_bot_api():
    text, entities = parse_html_entities("😀😀 <b>bold</b> after")
    assert to_html(text, entities) == "😀😀 <b>bold</b> after"


def test_offsets_past_the_end_are_ignored_not_fatal():
    assert to_html("abc", [{"type": "bold", "offset": 1, "length": 50}]) == "abc"


@pytest.mark.parametrize(
    ("text", "commands"),
    [
        ("Tap /help or /menu.", ["/help", "/menu"]),
        ("(or /cancel)", ["/cancel"]),
        ("see 1/2 and https://x.org/path", []),
    ],
)
def test_commands_in_bot_text_are_tappable(text, commands):
    found = [attrs["data-command"] for tag, attrs in tags_of(to_html(text, commands=True)).seen if tag == "a"]
    assert found == commands


def test_no_command_links_inside_code():
    text, entities = parse_html_entities("type <code>/start</code>")
    assert "data-command" not in to_html(text, entities, commands=True)


def test_message_view_carries_buttons_and_state():
    message = ChatMessage(
        message_id=7,
        chat_id=111,
        from_bot=True,
        date=1_700_000_000,
        text="Pick one",
        markup_json='{"inline_keyboard":[[{"text":"A","callback_data":"a"},'
        '{"text":"Site","url":"https://example.org"}],[{"text":"Pay","pay":true}]]}',
        edits=1,
    )
    view = message_view(message, {"id": 1, "first_name": "Bot"})
    assert view["edited"] is True and view["id"] == 7 and view["html"] == "Pick one"
    assert view["buttons"] == [[{"text": "A", "data": "a"}, {"text": "Site", "url": "https://example.org"}],
                               [{"text": "Pay"}]]
