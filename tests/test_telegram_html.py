"""Telegram's HTML parse mode, checked offline: what it accepts, refuses, and the entities it makes."""

from __future__ import annotations

import pytest

from bot.core.telegram_html import HtmlError, check_message_text, escape, parse_html, parse_html_entities


@pytest.mark.parametrize(
    ("text", "visible"),
    [
        ("a &nbsp; b", "a &nbsp; b"),  # unknown named references stay literal text
        ("&#xD800; &#0; &#99999999;", "&#xD800; &#0; &#99999999;"),  # invalid code points too
        ("&lt &amp;&quot;&#65;&#x42;&#X43;", '< &"AB&#X43;'),  # ';' optional; only a lower-case x
        ("fish & chips > peas", "fish & chips > peas"),
        ('<a href="https://nhs.uk" target="_blank">NHS</a>', "NHS"),  # unknown attributes ignored
        ("<B>x</b><b>y</>", "xy"),  # tag names are case-insensitive; "</>" closes the last tag
    ],
)
def test_accepts_what_telegram_accepts(text, visible):
    assert parse_html(text) == visible
    assert check_message_text(text) is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("<b><i>test</b></i>", 'Unmatched end tag at byte offset 10, expected "</i>", found "</b>"'),
        ("<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("é<br>", 'Unsupported start tag "br" at byte offset 2'),  # offsets count UTF-8 bytes
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=https://x.org>x</a>", "Unexpected end of name token at byte offset 8"),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
    ],
)
def test_refuses_with_telegrams_words(text, error):
    with pytest.raises(HtmlError) as caught:
        parse_html(text)
    assert str(caught.value) == error
    assert check_message_text(text) == f"Bad Request: can't parse entities: {error}"


def test_entities_use_utf16_offsets_and_telegrams_order():
    text, entities = parse_html_entities('😀 <b>bold <i>both</i></b> <a href="https://x.org/?a=1&amp;b=2">link</a>')
    assert text == "😀 bold both link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 13, "length": 4, "url": "https://x.org/?a=1&b=2"},
    ]


def test_special_entities():
    _text, entities = parse_html_entities(
        '<pre><code class="language-python">x = 1</code></pre><code>y</code>'
        '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span><blockquote expandable>q</blockquote>'
    )
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "code", "offset": 5, "length": 1},
        {"type": "spoiler", "offset": 6, "length": 1},
        {"type": "spoiler", "offset": 7, "length": 1},
        {"type": "expandable_blockquote", "offset": 8, "length": 1},
    ]


def test_length_counts_visible_utf16_units():
    assert check_message_text("<b>" + "😀" * 2048 + "</b>") is None  # 4096 UTF-16 units
    assert check_message_text("😀" * 2049) == "Bad Request: message is too long"
    assert check_message_text("x" * 5000, parse_mode=None, limit=5000) is None
    assert check_message_text("<i> </i>") == "Bad Request: message text is empty"


def test_escape_makes_user_text_inert():
    hostile = "<b>not bold</b> & <script>"
    assert parse_html(escape(hostile)) == hostile
