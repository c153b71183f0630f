"""End to end: advice is never erased (issue 10, item 2).

An emergency or same-day reply, a typed answer, a triage outcome and the self-care tips keep their
text whatever is tapped under them: the next screen arrives as a new message at the bottom of the
chat. Menus that are only navigation (main menu -> section -> topic) still edit in place.
"""

from __future__ import annotations

from bot.core.content import plain_text
from bot.core.triage import load_triage

TRIAGE = load_triage()
EMERGENCY = "pulled my back at the gym and now i cant feel my bum or inner thighs"
SAME_DAY = "back spasms and ive had a fever since yesterday"
TYPED = "should i use ice or heat"


def buttons(bot):
    return bot.services.content.messages.buttons


def now(ann, message):
    """The message as it stands now in the chat."""
    return next(m for m in ann.messages if m.message_id == message.message_id)


def intact(ann, message) -> bool:
    """Still exactly as it was sent: text, keyboard, and never edited."""
    current = now(ann, message)
    return (current.text, current.buttons, current.edits) == (message.text, message.buttons, message.edits)


async def typed(ann, text):
    await ann.send(text)
    return await ann.reply()


async def test_main_menu_under_an_emergency_reply_sends_the_menu_as_a_new_message(bot, fake, no_violations):
    """Regression (issue 10): Main menu under an emergency reply edited the reply into the menu."""
    ann = fake.user(301, "Ann")
    urgent = await typed(ann, EMERGENCY)
    assert urgent.text.startswith("Call 999 (UK), 112 (Europe) or 911 (US, Canada) now")
    await ann.tap(urgent, buttons(bot).main_menu)
    menu = await ann.reply()
    assert menu.message_id > urgent.message_id and menu.edits == 0  # new, at the bottom
    assert buttons(bot).triage in menu.button_texts
    assert intact(ann, urgent)  # the emergency advice is still there, word for word
    # The menu is navigation: it edits in place from here on.
    await ann.tap(menu, bot.services.content.categories[0].title)
    section = await ann.reply()
    assert section.message_id == menu.message_id and section.edits == 1
    assert intact(ann, urgent)
    # Tapping Main menu under the emergency again sends another menu; the advice stays.
    await ann.tap(urgent, buttons(bot).main_menu)
    again = await ann.reply()
    assert again.message_id > menu.message_id and intact(ann, urgent)
    assert fake.unanswered_callback_queries() == []


async def test_main_menu_under_a_same_day_reply_keeps_it(bot, fake, no_violations):
    ann = fake.user(302, "Ann")
    urgent = await typed(ann, SAME_DAY)
    assert "today" in urgent.text.splitlines()[0].lower()
    await ann.tap(urgent, buttons(bot).main_menu)
    menu = await ann.reply()
    assert menu.message_id != urgent.message_id and intact(ann, urgent)


async def test_every_button_under_a_typed_answer_sends_a_new_message(bot, fake, no_violations):
    ann = fake.user(303, "Ann")
    content = bot.services.content
    answer = await typed(ann, TYPED)
    topic = content.topics["ice-or-heat"]
    assert answer.text.startswith(topic.title)
    related = content.topics[topic.related[0]].title if topic.related else None
    section = content.category(topic.category).title
    labels = [label for label in (related, section, buttons(bot).main_menu) if label in answer.button_texts]
    assert len(labels) == 3, answer.button_texts
    shown = []
    for label in labels:
        await ann.tap(answer, label)
        screen = await ann.reply()
        assert screen.message_id > answer.message_id and screen.edits == 0, label
        assert intact(ann, answer), label
        shown.append(screen)
    assert shown[0].text.startswith(related)
    assert shown[1].text.startswith(section)
    # A related topic opened from the answer is navigation: Back edits it, back to the answer's topic.
    await ann.tap(shown[0], buttons(bot).back)
    back = await ann.reply()
    assert back.message_id == shown[0].message_id and back.text.startswith(topic.title)
    assert intact(ann, answer)


async def test_a_refusal_that_says_who_can_help_is_kept(bot, fake, no_violations):
    ann = fake.user(308, "Ann")
    declined = await typed(ann, "bad neck cramp since yesterday")
    assert "pharmacist or GP" in declined.text
    category = bot.services.content.categories[0]
    await ann.tap(declined, category.title)
    section = await ann.reply()
    assert section.message_id > declined.message_id and section.text.startswith(category.title)
    assert intact(ann, declined)


async def test_an_outdated_button_under_advice_does_not_erase_it(bot, fake, no_violations):
    ann = fake.user(304, "Ann")
    urgent = await typed(ann, EMERGENCY)
    # A topic removed since the message was sent, and data no keyboard of ours ever had.
    for data in ("t:a-topic-that-was-removed:!", "zz:garbage"):
        query = await ann.press(urgent, data)
        assert (await fake.wait_answered(query)).text  # "that menu is out of date"
        fresh = await ann.reply()
        assert fresh.message_id > urgent.message_id and "out of date" in fresh.text.lower()
        assert intact(ann, urgent)


async def test_main_menu_and_reminders_under_a_triage_outcome_keep_it(bot, fake, no_violations):
    """Regression (issue 10): Self-care tips and the other buttons under a triage result edited it away."""
    ann = fake.user(305, "Ann")
    await ann.send("/triage")
    message = await ann.reply()
    while TRIAGE.labels.no in message.button_texts:
        await ann.tap(message, TRIAGE.labels.no)
        message = await ann.reply()
    outcome = message
    assert outcome.text.startswith(plain_text(TRIAGE.outcomes.self_care.headline))
    for label in (TRIAGE.labels.tips_button, TRIAGE.labels.reminders_button, buttons(bot).main_menu):
        await ann.tap(outcome, label)
        screen = await ann.reply()
        assert screen.message_id > outcome.message_id and screen.edits == 0, label
        assert intact(ann, outcome), label
    tips, reminders, menu = ann.messages[-3:]
    assert tips.text.startswith(plain_text(TRIAGE.labels.tips_title))
    assert bot.services.reminders.texts.buttons.stretching_on in reminders.button_texts
    assert buttons(bot).triage in menu.button_texts
    # The tips are advice too: Main menu under them sends a menu and leaves them.
    await ann.tap(tips, buttons(bot).main_menu)
    assert (await ann.reply()).message_id > menu.message_id
    assert intact(ann, tips) and intact(ann, outcome)


async def test_the_answer_to_a_safety_question_is_advice_too(bot, fake, no_violations):
    ann = fake.user(306, "Ann")
    question = await typed(ann, "it hurts to sit on the loo with my back like this")
    await ann.tap(question, buttons(bot).yes)
    answered = await ann.reply()
    assert answered.message_id == question.message_id and answered.buttons == []  # the question keeps its words
    urgent = await ann.reply()
    assert urgent.message_id > question.message_id and "999" in urgent.text.splitlines()[0]
    await ann.tap(urgent, buttons(bot).main_menu)
    menu = await ann.reply()
    assert menu.message_id > urgent.message_id and intact(ann, urgent)


async def test_navigation_still_edits_in_place(bot, fake, no_violations):
    ann = fake.user(307, "Ann")
    await ann.send("/menu")
    menu = await ann.reply()
    content = bot.services.content
    category = content.categories[0]
    await ann.tap(menu, category.title)
    await ann.reply()
    await ann.tap(menu, content.topics_in(category.id)[0].title)
    topic = await ann.reply()
    await ann.tap(topic, buttons(bot).main_menu)
    home = await ann.reply()
    assert home.message_id == menu.message_id and home.edits == 3 and len(ann.messages) == 1
