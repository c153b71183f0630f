"""Steps of the zone question as a person sees them in the fake chat, shared by the e2e tests."""


async def zone_prompt(user):
    """The zone question; beside it (a message of its own) the location button under the input field."""
    prompt = await user.reply()
    await user.reply()
    assert [[b.get("request_location") for b in row] for row in user.reply_keyboard] == [[True]]
    return prompt


async def said_back(user):
    """A typed or shared zone said back. In a private chat the location button goes first: a
    short message carrying ReplyKeyboardRemove, deleted at once (Telegram lets no such message be
    edited into the answer), then the answer with its Yes / Change buttons."""
    removal = await user.reply()
    assert removal.reply_markup == {"remove_keyboard": True}
    answer = await user.reply()
    assert answer.buttons and user.reply_keyboard is None
    assert removal.message_id not in {m.message_id for m in user.messages}  # deleted before the answer
    return answer
