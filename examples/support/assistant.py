"""The shop assistant's answers. The demo has no language model: this stands in for
one, streaming a canned answer a few characters at a time the way a model's API
streams tokens (an async iterator with a small delay between tokens)."""

import asyncio
import re

ANSWERS = {
    "ship": "We ship to most of Europe and North America. Orders placed before 2 pm leave the same day; "
    "delivery takes 2 to 5 working days.",
    "return": "You can return anything unused within 30 days. Start a return from your order page and we "
    "email you a prepaid label.",
    "rope": "For a 30 ft boat, a 3/8in braided dock line is a good default; go up to 1/2in above 35 ft.",
}
FALLBACK = "I can help with shipping, returns and choosing rope. What would you like to know?"

#: Seconds between tokens (a model's pace).
TOKEN_DELAY = 0.01


def answer_for(question):
    lowered = question.lower()
    return next((text for key, text in ANSWERS.items() if key in lowered), FALLBACK)


async def stream_answer(question):
    """Yield the answer to ``question`` in small pieces (words and the spaces after them)."""
    for token in re.findall(r"\S+\s*", answer_for(question)):
        await asyncio.sleep(TOKEN_DELAY)
        yield token
