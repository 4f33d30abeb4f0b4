"""Shop questions answered from the tools, in the customer's language."""

from __future__ import annotations

import pytest

from tests.assistant.test_engine_harness import (  # noqa: F401
    SOFIA,
    Bot,
    bot_fixture,
    demo_site_fixture,
)


async def test_shipping_options_and_times(bot: Bot) -> None:
    reply = await bot.ask("What are your delivery options?")
    assert "DHL Standard (1–3 business days) — €4.95" in reply.text
    assert "free from €50.00" in reply.text and "DHL Express" not in reply.text  # disabled


async def test_payment_methods(bot: Bot) -> None:
    reply = await bot.ask("Which payment methods do you accept?")
    assert "PayPal" in reply.text and "Check payments" not in reply.text  # disabled


async def test_product_search_with_price_and_stock(bot: Bot) -> None:
    reply = await bot.ask("Do you have rain jackets in stock?")
    assert "Fjord Rain Jacket — €149.00, in stock" in reply.text
    assert "https://northwind-outfitters.example/product/fjord-rain-jacket/" in reply.text
    sold_out = await bot.ask("how much is the titanium camping stove?")
    assert "€59.00, out of stock" in sold_out.text


async def test_recommendations_are_in_stock(bot: Bot) -> None:
    reply = await bot.ask("What goes well with hiking boots?")
    assert "Ridge Hiking Boots" in reply.text and "Glacier Winter Boots" not in reply.text


async def test_account_help_links_to_the_shop(bot: Bot) -> None:
    reply = await bot.ask("I forgot my password")
    assert "https://northwind-outfitters.example/my-account/lost-password/" in reply.text


async def test_faq_search_answers_what_the_shop_wrote(bot: Bot) -> None:
    reply = await bot.ask("Do you gift-wrap orders?")
    assert "gift-wrap any order for 3 euros" in reply.text and reply.meta["sources"]


async def test_out_of_scope_is_polite(bot: Bot) -> None:
    reply = await bot.ask("What's the weather in Paris tomorrow?")
    assert "outside what I can help with" in reply.text and not reply.handoff


async def test_a_vip_is_greeted_by_name(bot: Bot) -> None:
    reply = await bot.ask("Hello!", customer=SOFIA)
    assert reply.text.startswith("Welcome back, Sofia!")


LANGUAGES = [
    ("de", "Welche Versandoptionen gibt es?", "So versenden wir", "4,95 €"),
    ("fr", "Quelles sont les options de livraison ?", "Voici nos options", "4,95 €"),
    ("es", "¿Cuáles son las opciones de envío?", "Así hacemos los envíos", "4,95 €"),
    ("nl", "Wat zijn de verzendopties?", "Zo verzenden we", "€ 4,95"),
    ("en", "What shipping options do you have?", "Here's how we ship", "€4.95"),
]


@pytest.mark.parametrize(("language", "text", "opening", "price"), LANGUAGES)
async def test_answers_come_in_the_customers_language(
    bot: Bot, language: str, text: str, opening: str, price: str
) -> None:
    reply = await bot.ask(text)
    assert reply.language == language and reply.text.startswith(opening) and price in reply.text


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        ("de", "Wo ist meine Bestellung?", "Bestellnummer"),
        ("fr", "Où est ma commande ?", "numéro de commande"),
        ("es", "¿Dónde está mi pedido?", "número de pedido"),
        ("nl", "Waar is mijn bestelling?", "bestelnummer"),
    ],
)
async def test_a_guest_is_asked_for_order_details_in_their_language(
    bot: Bot, language: str, text: str, words: str
) -> None:
    reply = await bot.ask(text)
    assert reply.language == language and words in reply.text


async def test_a_short_reply_keeps_the_conversations_language(bot: Bot) -> None:
    reply = await bot.ask("Zahlungsarten", language="de")
    assert reply.language == "de" and reply.text.startswith("Du kannst so bezahlen")
