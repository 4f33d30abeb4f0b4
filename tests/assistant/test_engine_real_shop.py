"""What a real WooCommerce shop does that the demo shop did not: short order numbers,
order-number plugins, the catch-all shipping zone's admin label, SKUs; and quick replies
tapped back in, and an order named once that must not stick to later questions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from shopchat.commerce.demo import load_demo_data
from shopchat.settings import Settings
from shopchat.site.service import SiteCredentials
from tests.assistant.test_engine_harness import (  # noqa: F401
    KNOWLEDGE,
    RAVI,
    SHOP,
    SOFIA,
    Bot,
    bot_fixture,
    demo_site_fixture,
    make_bot,
    wc_store_fixture,
    woo_bot_fixture,
    woo_site_fixture,
)
from tests.support.sites import SiteFactory
from tests.support.woocommerce_store import (
    CONSUMER_KEY,
    CONSUMER_SECRET,
    WooCommerceTestStore,
    running_store,
)

RENUMBER = 980  # orders 1001… become 21…: a young shop
PLUGIN_NUMBER = "2024-0001"  # order 21 (id 21) as an order-number plugin prints it
CATCH_ALL = "Locations not covered by your other zones"


def young_shop_data() -> dict[str, Any]:
    """The demo shop as a young WooCommerce shop: orders 21-36, and WooCommerce's own name of
    zone 0 (the admin label, in the admin's language)."""
    data = load_demo_data()
    for order in data["orders"]:
        order["id"] -= RENUMBER
        order["number"] = str(order["id"])
    data["orders"][0]["number"] = PLUGIN_NUMBER
    data["refunds"] = {str(int(k) - RENUMBER): v for k, v in data["refunds"].items()}
    data["order_notes"] = {str(int(k) - RENUMBER): v for k, v in data["order_notes"].items()}
    for zone in data["shipping_zones"]:
        if zone["id"] == 0:
            zone["name"] = CATCH_ALL
    return data


@pytest.fixture(name="young_store")
def young_store_fixture() -> Iterator[WooCommerceTestStore]:
    with running_store(data=young_shop_data()) as store:
        yield store


@pytest.fixture(name="young_site")
def young_site_fixture(sites: SiteFactory, young_store: WooCommerceTestStore) -> SiteCredentials:
    return sites.create(
        name=SHOP, knowledge=KNOWLEDGE, store=(young_store.url, CONSUMER_KEY, CONSUMER_SECRET)
    )


@pytest.fixture(name="young_bot")
async def young_bot_fixture(
    backend_settings: Settings, young_site: SiteCredentials
) -> AsyncIterator[Bot]:
    async for made in make_bot(backend_settings, young_site):
        yield made


async def test_short_order_numbers_are_understood(young_bot: Bot) -> None:
    reply = await young_bot.ask("Where is my order #32?", customer=SOFIA)
    assert "Order 32 from" in reply.text, reply.text
    reply = await young_bot.fresh().ask("Wo ist Bestellung 33?", customer=SOFIA, language="de")
    assert "Bestellung 33 vom" in reply.text, reply.text


async def test_a_guest_answering_with_a_short_number_is_understood(young_bot: Bot) -> None:
    first = await young_bot.ask("Where is my order?")
    assert "order number" in first.text
    second = await young_bot.ask("36")
    assert "email" in second.text and "36" in second.text
    third = await young_bot.ask("jonas.becker@example.net")
    assert "Order 36 from" in third.text and "Camp Slip-On Clogs" in third.text


async def test_an_order_number_plugins_numbers_are_understood(young_bot: Bot) -> None:
    reply = await young_bot.ask(f"What's the status of order {PLUGIN_NUMBER}?", customer=RAVI)
    assert f"Order {PLUGIN_NUMBER} from" in reply.text, reply.text
    assert "2024 " not in reply.text.replace(PLUGIN_NUMBER, "")


LANGUAGE_QUESTIONS = {
    "en": ("Hello!", "where is my parcel?", "What are your delivery options?", "asdf qwerty"),
    "de": ("Hallo!", "Wo ist mein Paket?", "Welche Versandoptionen gibt es?", "asdf qwertz"),
    "fr": ("Bonjour !", "Où est mon colis ?", "Quelles sont les options de livraison ?", "asdf"),
    "es": ("¡Hola!", "¿Dónde está mi paquete?", "¿Cuáles son las opciones de envío?", "asdf"),
    "nl": ("Hallo!", "Waar is mijn pakket?", "Wat zijn de verzendopties?", "asdf qwerty"),
}


@pytest.mark.parametrize("language", sorted(LANGUAGE_QUESTIONS))
async def test_every_quick_reply_is_understood_when_tapped(young_bot: Bot, language: str) -> None:
    offered: dict[str, None] = {}
    for question in LANGUAGE_QUESTIONS[language]:
        reply = await young_bot.fresh().ask(question, customer=SOFIA, language=language)
        offered.update(dict.fromkeys(reply.quick_replies))
    assert len(offered) >= 6, offered  # the menus and the "Order N" buttons
    for label in offered:
        bot = young_bot.fresh()
        reply = await bot.ask(label, customer=SOFIA, language=language)
        assert reply.handoff or reply.meta["confidence"] >= 0.5, (label, reply.text)
        if number := _order_button(label):
            assert number in reply.text.split(".")[0], (label, reply.text)


def _order_button(label: str) -> str | None:
    words = label.split()
    return words[-1] if len(words) == 2 and words[-1].isdigit() else None


async def test_the_catch_all_zone_is_everywhere_else_in_the_customers_language(
    young_bot: Bot,
) -> None:
    expected = {
        "en": "Everywhere else",
        "de": "Alle anderen Länder",
        "fr": "Reste du monde",
        "es": "Resto del mundo",
        "nl": "Rest van de wereld",
    }
    for language, (_, _, question, _) in LANGUAGE_QUESTIONS.items():
        reply = await young_bot.fresh().ask(question, language=language)
        assert CATCH_ALL not in reply.text
        assert f"• {expected[language]}: International Express" in reply.text, reply.text


async def test_a_sku_is_looked_up_by_sku(young_bot: Bot, young_store: WooCommerceTestStore) -> None:
    reply = await young_bot.ask("Do you have NW-BAG-EXP65 in stock?")
    assert reply.text.splitlines()[1].startswith("• Expedition 65 Backpack — €"), reply.text
    assert [r.params.get("sku") for r in young_store.api_requests("products")].count(
        "NW-BAG-EXP65"
    ) == 1


async def test_a_sku_in_the_demo_shop(bot: Bot) -> None:
    reply = await bot.ask("is nw-jkt-fjord available?")
    assert "Fjord Rain Jacket — €149.00, in stock" in reply.text, reply.text


async def test_an_order_named_once_does_not_answer_later_questions(bot: Bot) -> None:
    someone_elses = await bot.ask("Where is order 1004?", customer=RAVI)
    assert "can't find order 1004" in someone_elses.text
    for _ in range(2):  # later turns, and a later session of the same conversation
        reply = await bot.ask("Where is my order?", customer=RAVI)
        assert "1004" not in reply.text, reply.text
        assert reply.text.startswith("Order 1003 from"), reply.text


async def test_a_follow_up_about_the_same_order_still_means_it(bot: Bot) -> None:
    await bot.ask("Where is order 1002?", customer=RAVI)
    reply = await bot.ask("Can I cancel it?", customer=RAVI)
    assert "Order 1002 hasn't shipped yet" in reply.text, reply.text
