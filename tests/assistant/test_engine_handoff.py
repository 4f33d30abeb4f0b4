"""When the engine hands the conversation to a person, and what it tells the customer."""

from __future__ import annotations

import pytest

from tests.assistant.test_engine_harness import (  # noqa: F401
    RAVI,
    Bot,
    bot_fixture,
    demo_site_fixture,
    wc_store_fixture,
    woo_bot_fixture,
    woo_site_fixture,
)
from tests.support.woocommerce_store import WooCommerceTestStore


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Can I talk to a human please?", "member of our team"),
        ("Ich möchte mit einem Mitarbeiter sprechen", "jemanden aus unserem Team"),
        ("Je voudrais parler à un conseiller", "membre de notre équipe"),
        ("Quiero hablar con una persona", "persona de nuestro equipo"),
        ("Ik wil een medewerker spreken", "iemand van ons team"),
    ],
)
async def test_an_explicit_request_hands_off(bot: Bot, text: str, words: str) -> None:
    reply = await bot.ask(text)
    assert reply.handoff and words in reply.text and reply.quick_replies == ()


async def test_an_angry_customer_is_handed_off(bot: Bot) -> None:
    reply = await bot.ask("This is RIDICULOUS, worst shop ever, I want my money NOW!!!")
    assert reply.handoff and "sorry" in reply.text and reply.meta["sentiment"] < 0


async def test_the_second_low_confidence_turn_in_a_row_hands_off(bot: Bot) -> None:
    first = await bot.ask("blorp fizz wibble")
    assert not first.handoff and first.meta["confidence"] < 0.5 and first.quick_replies
    second = await bot.ask("zork quux frobnicate")
    assert second.handoff and "wrong answer" in second.text


async def test_a_confident_turn_resets_the_count(bot: Bot) -> None:
    await bot.ask("blorp fizz wibble")
    await bot.ask("What payment methods do you accept?")
    assert not (await bot.ask("zork quux frobnicate")).handoff


async def test_a_store_that_is_down_hands_off(woo_bot: Bot, wc_store: WooCommerceTestStore) -> None:
    wc_store.fail_next(20, status=503)
    reply = await woo_bot.ask("Where is my order 1001?", customer=RAVI)
    assert reply.handoff and "can't reach" in reply.text
    assert reply.meta["tools"][0]["error"] == "store_unavailable"
