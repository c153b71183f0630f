"""End to end: the one safety question asked before an answer, through the fake Bot API server.

A message that touches a warning-sign area without a clear match ("sitting on the loo hurts"),
or denies an emergency sign ("no chest pain"), gets a Yes / No question naming the sign first.
"""

from bot.telegram import safety


async def test_yes_gives_the_emergency_reply_as_a_new_message(bot, fake, no_violations):
    ann = fake.user(201)
    await ann.send("it hurts to sit on the loo with my back like this")
    question = await ann.reply()
    labels = bot.services.content.messages.buttons
    assert question.button_texts == [labels.yes, labels.no]
    assert "peeing" in question.text and "bottom or genitals" in question.text

    await ann.tap(question, labels.yes)
    edited = await ann.reply()
    assert edited.message_id == question.message_id and edited.edits == 1
    assert "peeing" in edited.text and "You answered: Yes" in edited.text  # the question stays readable
    assert edited.button_texts == []
    urgent = await ann.reply()
    assert urgent.message_id != question.message_id  # advice arrives at the bottom of the chat
    assert urgent.text.splitlines()[0].startswith("Call 999 (UK), 112 (Europe) or 911 (US, Canada) now")
    assert urgent.button_texts == [labels.main_menu]  # no self-care tips under it


async def test_no_gives_the_answer_the_message_would_have_had(bot, fake, no_violations):
    ann = fake.user(202)
    text = "is it bad to sit on the loo scrolling my phone for ages with a sore back"
    expected = bot.services.engine.answer(text)
    assert expected.kind == "check" and expected.then is not None
    await ann.send(text)
    question = await ann.reply()
    await ann.tap(question, bot.services.content.messages.buttons.no)
    edited = await ann.reply()
    assert "You answered: No" in edited.text
    answer = await ann.reply()
    assert answer.message_id != question.message_id
    assert "112" not in answer.text.split("\n")[0]
    assert answer.text.split("\n")[0] in expected.then.text or expected.then.kind == "no_match"


async def test_a_denied_emergency_sign_is_asked_not_dropped(bot, fake, no_violations):
    ann = fake.user(203)
    await ann.send("no chest pain or anything, just a pulled back muscle")
    question = await ann.reply()
    assert "chest pain" in question.text.lower()
    await ann.tap(question, bot.services.content.messages.buttons.yes)
    await ann.reply()  # the question, answered
    urgent = await ann.reply()
    assert "999" in urgent.text.splitlines()[0]
    assert "chest pain" in urgent.text.lower()  # "You mentioned: chest pain ..."


async def test_same_day_safety_question_yes_says_see_a_doctor_today(bot, fake, no_violations):
    ann = fake.user(204)
    await ann.send("could my back pain be cancer")
    question = await ann.reply()
    assert "cancer" in question.text.lower()
    await ann.tap(question, bot.services.content.messages.buttons.yes)
    await ann.reply()
    reply = await ann.reply()
    assert "today" in reply.text.splitlines()[0].lower()
    assert "111" in reply.text and "999" in reply.text  # where to go, and the signs that mean 999


async def test_tampered_or_unknown_safety_buttons_get_a_fresh_menu(bot, fake, no_violations):
    ann = fake.user(205)
    await ann.send("it hurts to sit on the loo")
    question = await ann.reply()
    query = await ann.press(question, "sq:nope:y")
    assert "out of date" in (await fake.wait_answered(query)).text.lower()
    fresh = await ann.reply()
    assert "out of date" in fresh.text.lower()  # the unknown button's message becomes a fresh menu
    for data in ("sq:cauda-equina:x", "sq:cauda-equina:n:z:", "sq:chest:y:extra", "sq"):
        query = await ann.press(fresh, data)
        assert "out of date" in (await fake.wait_answered(query)).text.lower()


def test_safety_buttons_fit_in_64_bytes_for_every_pair_of_topics(bot):
    engine = bot.services.engine
    ids = sorted(engine.content.topics, key=len, reverse=True)
    check = max(engine.redflags.checks, key=lambda c: len(c.id))
    for kind, topics in (("clarify", tuple(ids[:2])), ("answer", (ids[0],)), ("no_match", ())):
        then = engine.reply_for(kind, topics)
        reply = engine.answer("it hurts to sit on the loo")
        reply = type(reply)("check", then.topics, 0.0, check.question, level=check.level, check=check.id, then=then)
        markup = safety.buttons(bot.services.content, reply)
        for row in markup.inline_keyboard:
            for b in row:
                assert len(b.callback_data.encode()) <= 64
        parsed = safety.parse(markup.inline_keyboard[0][1].callback_data)
        assert parsed is not None and parsed[0] == check.id and parsed[1] is False
        assert set(parsed[3]) <= set(topics)
