"""Steps of the zone question as a person sees them in the fake chat, shared by the e2e tests."""


async def zone_prompt(user):
    """The zone question; beside it (a message of its own) the location button under the input field."""
    prompt = await user.reply()
    await user.reply()
    assert [[b.get("request_location") for b in row] for row in user.reply_keyboard] == [[True]]
    return prompt


async def said_back(user):
    """A typed or shared zone said back: sent with the location button removed, Yes / Change then added."""
    sent = await user.reply()
    edited = await user.reply()
    assert edited.message_id == sent.message_id and edited.edits == 1 and user.reply_keyboard is None
    return edited
