"""End to end: the real Application against the fake Bot API server."""

from bot.app import ALLOWED_UPDATES
from bot.core.content import plain_text
from bot.telegram.callbacks import decode


async def test_start_category_topic_back_main_menu(bot, fake, no_violations):
    ann = fake.user(111, "Ann")
    await ann.send("/start")
    menu = await ann.reply()
    assert "back spasm" in menu.text.lower()
    assert "not medical advice" in menu.text.lower()
    assert {"Causes", "Remedies"} <= set(menu.button_texts)
    right_now = bot.services.content.topics["right-now"].title
    assert menu.button_texts[0] == right_now  # what to do now comes before every section

    await ann.tap(menu, right_now)
    first_hours = await ann.reply()
    assert first_hours.text.startswith(right_now) and first_hours.message_id == menu.message_id
    await ann.tap(first_hours, bot.services.content.messages.buttons.main_menu)
    await ann.reply()

    await ann.tap(menu, "Causes")
    causes = await ann.reply()
    assert causes.message_id == menu.message_id and causes.edits == 3  # edited in place
    first_topic = causes.button_texts[0]

    await ann.tap(causes, first_topic)
    topic = await ann.reply()
    assert topic.message_id == menu.message_id
    labels = bot.services.content.messages.buttons
    assert {labels.back, labels.main_menu} <= set(topic.button_texts)

    await ann.tap(topic, bot.services.content.messages.buttons.back)
    back = await ann.reply()
    assert back.button_texts == causes.button_texts

    await ann.tap(back, bot.services.content.messages.buttons.main_menu)
    home = await ann.reply()
    assert home.button_texts == menu.button_texts
    assert len(ann.messages) == 1  # one message, edited in place all along


async def test_startup_registers_commands_description_and_updates(bot, fake):
    names = [c["command"] for c in fake.commands]
    assert names == [
        "start", "menu", "help", "causes", "remedies", "symptoms", "doctor", "prevention",
        "triage", "reminders", "privacy", "forget", "about", "cancel",
    ]
    assert fake.description and fake.short_description
    await fake.wait_until(lambda: fake.allowed_updates is not None, what="the first getUpdates")
    assert set(fake.allowed_updates) == set(ALLOWED_UPDATES)
    assert "my_chat_member" in fake.allowed_updates


async def test_free_text_gets_the_topic_with_related_buttons(bot, fake, no_violations):
    ann = fake.user(112)
    await ann.send("my back seized up after golf")
    answer = await ann.reply()
    content = bot.services.content
    labels = content.messages.buttons
    topic = content.topics[answer_topic(answer)]
    # Nothing came before a typed answer: the way out names the section instead of "Back".
    assert labels.main_menu in answer.button_texts and labels.back not in answer.button_texts
    assert content.category(topic.category).title in answer.button_texts
    topic_ids = {decode(data)[1] for row in answer.buttons for _t, data in row if data.startswith("t:")}
    assert 1 <= len(topic_ids) <= 2  # up to two Related buttons
    assert "not medical advice" in answer.text.lower()


def answer_topic(message) -> str:
    """The topic a typed answer is about: its Related buttons carry it as their origin."""
    origins = {decode(data)[2] for row in message.buttons for _t, data in row if len(decode(data)) == 3}
    assert len(origins) == 1, message.buttons
    return origins.pop()


async def test_back_after_a_related_hop_returns_to_the_topic_before(bot, fake, no_violations):
    ann = fake.user(125)
    content = bot.services.content
    await ann.send("/remedies")
    remedies = await ann.reply()
    first = content.topics_in("remedies")[0]
    await ann.tap(remedies, first.title)
    topic = await ann.reply()
    related = content.topics[first.related[0]]
    await ann.tap(topic, related.title)
    hopped = await ann.reply()
    assert hopped.text.startswith(related.title)
    await ann.tap(hopped, content.messages.buttons.back)
    back = await ann.reply()
    assert back.text.startswith(first.title)  # the topic it came from, not the related topic's section
    await ann.tap(back, content.messages.buttons.back)
    assert (await ann.reply()).button_texts == remedies.button_texts


async def test_every_section_has_its_own_command(bot, fake, no_violations):
    ann = fake.user(126)
    content = bot.services.content
    for category in content.categories:
        await ann.send(f"/{category.id}")
        reply = await ann.reply()
        assert reply.text.startswith(category.title)
    await ann.send("/help")
    help_text = (await ann.reply()).text
    assert all(f"/{c.id}" in help_text for c in content.categories) and "/forget" in help_text


async def test_emergency_text_goes_to_emergency_services_first(bot, fake, no_violations):
    ann = fake.user(113)
    await ann.send("pulled my back at the gym and now i cant feel my bum or inner thighs")
    urgent = await ann.reply()
    assert all(n in urgent.text for n in ("112", "911", "999"))
    assert urgent.button_texts == [bot.services.content.messages.buttons.main_menu]  # no tips


async def test_same_day_flag_says_see_a_doctor_today(bot, fake, no_violations):
    ann = fake.user(114)
    await ann.send("back spasms and ive had a fever since yesterday")
    reply = await ann.reply()
    assert "today" in reply.text.lower()
    assert "111" in reply.text


async def test_stale_and_unknown_buttons_get_a_fresh_menu(bot, fake, no_violations):
    ann = fake.user(115)
    await ann.send("/menu")
    menu = await ann.reply()
    query = await ann.press(menu, "t:a-topic-that-was-removed")
    assert (await fake.wait_answered(query)).text  # a toast says the menu is out of date
    fresh = await ann.reply()
    assert "out of date" in fresh.text.lower()
    assert fresh.button_texts == menu.button_texts
    # More unknown data on the same message: answered each time, no needless edit.
    for data in ("zz:garbage", "c:nope", "m:extra", "t"):
        query = await ann.press(fresh, data)
        assert (await fake.wait_answered(query)).text
    assert ann.messages[-1].edits == fresh.edits


async def test_second_tap_on_same_button_is_answered_without_an_edit(bot, fake, no_violations):
    ann = fake.user(116)
    await ann.send("/causes")
    causes = await ann.reply()
    await ann.tap(causes, causes.button_texts[0])
    topic = await ann.reply()
    query = await ann.press(topic, causes.buttons[0][0][1])  # the same topic again
    await fake.wait_answered(query)
    assert ann.messages[-1].edits == topic.edits  # nothing to change, so no "not modified" error


async def test_sticker_photo_voice_get_a_text_only_note(bot, fake, no_violations):
    ann = fake.user(117)
    for send in (ann.send_sticker, ann.send_photo, ann.send_voice):
        await send()
        note = await ann.reply()
        assert "text" in note.text.lower()


async def test_huge_message_is_answered_within_limits(bot, fake, no_violations):
    ann = fake.user(118)
    await ann.send(("my lower back keeps cramping when i sit at my desk all day " * 90)[:5000])
    reply = await ann.reply()
    # Answered from the content (a topic or "did you mean" topics), not an error or the no-match menu.
    assert any(data.startswith("t:") for row in reply.buttons for _text, data in row)


async def test_html_looking_text_is_never_echoed_raw(bot, fake, no_violations):
    ann = fake.user(119)
    await ann.send("<b>hi</b> <script>alert(1)</script> & what causes <i>spasms</i>?")
    reply = await ann.reply()
    assert "<script>" not in (reply.source or "")


async def test_unknown_command_and_help(bot, fake, no_violations):
    ann = fake.user(120)
    await ann.send("/frobnicate")
    reply = await ann.reply()
    assert "/help" in reply.text
    await ann.send("/help")
    help_text = await ann.reply()
    assert "/triage" in help_text.text


async def test_smalltalk_gets_a_short_friendly_reply(bot, fake, no_violations):
    ann = fake.user(121)
    await ann.send("thanks!!")
    reply = await ann.reply()
    assert reply.text == plain_text(bot.services.content.messages.thanks).strip()


async def test_acknowledgements_get_one_line_without_the_menu(bot, fake, no_violations):
    ann = fake.user(122)
    content = bot.services.content
    for text in ("ok", "👍", "got it"):
        await ann.send(text)
        reply = await ann.reply()
        assert reply.text == plain_text(content.messages.ack).strip()
        assert reply.button_texts == [content.messages.buttons.main_menu]


async def test_menu_and_help_typed_without_a_slash_do_what_they_say(bot, fake, no_violations):
    ann = fake.user(123)
    await ann.send("/menu")
    menu = await ann.reply()
    await ann.send("menu")
    typed = await ann.reply()
    assert typed.text == menu.text and typed.button_texts == menu.button_texts
    await ann.send("help")
    assert "How I can help" in (await ann.reply()).text


async def test_another_language_gets_one_english_line_and_the_menu(bot, fake, no_violations):
    ann = fake.user(124)
    await ann.send("tengo dolor de espalda, que puedo hacer?")
    reply = await ann.reply()
    assert reply.text == plain_text(bot.services.content.messages.other_language).strip()
    assert "Causes" in reply.button_texts


async def test_two_questions_get_one_reply_with_both_answers(bot, fake, no_violations):
    ann = fake.user(131)
    await ann.send("can i take paracetamol? and should i wear a back brace")
    reply = await ann.reply()
    topics = bot.services.content.topics
    for topic_id in ("pain-relief", "back-brace"):
        assert plain_text(topics[topic_id].body).splitlines()[0] in reply.text
    assert len(reply.text) <= 4096


async def test_another_body_part_is_declined_by_name(bot, fake, no_violations):
    ann = fake.user(132)
    await ann.send("my elbow <b>cramps</b> when i type")
    reply = await ann.reply()
    assert "elbow problem" in reply.text and "pharmacist or GP" in reply.text
    assert "<b>" not in reply.text  # the user's markup is never echoed


async def test_out_of_scope_is_honest_and_shows_the_menu(bot, fake, no_violations):
    ann = fake.user(122)
    await ann.send("whats the best pizza in naples")
    reply = await ann.reply()
    assert "back spasm" in reply.text.lower()
    assert "Causes" in reply.button_texts
