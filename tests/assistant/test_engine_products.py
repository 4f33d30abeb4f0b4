"""Products named in a message are matched against the catalogue, typos tolerated."""

from __future__ import annotations

import time

from shopchat.assistant.nlu.entities import extract_entities
from shopchat.assistant.tools import catalogue_index
from shopchat.commerce.demo import load_demo_data
from tests.assistant.test_engine_harness import (  # noqa: F401
    Bot,
    bot_fixture,
    demo_site_fixture,
    wc_store_fixture,
    woo_bot_fixture,
    woo_site_fixture,
)

DEMO_NAMES = tuple(p["name"] for p in load_demo_data()["products"])


def _product_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("•")]


async def test_a_misspelt_product_is_found_and_priced(bot: Bot) -> None:
    reply = await bot.ask("how much is the alpin down jackt")
    assert _product_lines(reply.text) == [
        "• Alpine Down Jacket — €189.00 (on sale, was €229.00), in stock — "
        "https://northwind-outfitters.example/product/alpine-down-jacket/"
    ]
    assert reply.meta["confidence"] >= 0.5 and not reply.handoff


async def test_stock_questions_answer_for_the_named_product_only(bot: Bot) -> None:
    reply = await bot.ask("are the trail runer shoes in stock?")
    lines = _product_lines(reply.text)
    assert len(lines) == 1 and lines[0].startswith("• Trail Runner Shoes — €99.00")
    german = await bot.fresh().ask("Ist der Harbour Sofshell Jacket auf Lager?", language="de")
    assert [line.split(" — ")[0] for line in _product_lines(german.text)] == [
        "• Harbour Softshell Jacket"
    ]
    assert "nicht" in german.text.casefold() or "ausverkauft" in german.text.casefold()


async def test_recommendations_for_a_misspelt_product(bot: Bot) -> None:
    reply = await bot.ask("What would you recommend with the Nordlys 2-Person Tnet?")
    assert "Nordlys 2-Person Tent" in reply.text.splitlines()[0]
    names = [line.split(" — ")[0] for line in _product_lines(reply.text)]
    # bought together with the tent first, then the shop's upsell, then related in stock
    assert names == [
        "• Self-Inflating Sleeping Mat",
        "• Polar Sleeping Bag -10 °C",
        "• Headlamp 400",
    ]


async def test_the_woocommerce_store_is_matched_too(woo_bot: Bot) -> None:
    reply = await woo_bot.ask("how much is the alpin down jackt")
    assert [line.split(" — ")[:2] for line in _product_lines(reply.text)] == [
        ["• Alpine Down Jacket", "€189.00 (on sale, was €229.00), in stock"]
    ]
    again = await woo_bot.fresh().ask("is the alpine down jacket in stock?")
    assert "Alpine Down Jacket" in again.text


def test_the_index_finds_what_full_matching_finds() -> None:
    names = tuple(f"{n} {v}".strip() for n in DEMO_NAMES for v in ("", "Pro", "Kids", "XL", "Lite"))
    index = catalogue_index(names)
    messages = [
        "how much is the alpin down jackt",
        "do you have the Alpine Down Jacket Kids in stock?",
        "trial runner shoes xl",  # a transposition
        "merino hikng socks 3-pack please",
        "headlamp 400",
        "i want a dry bag set lite",
        "expediton 65 backpak pro",
        "what's the weather like",
    ]
    for message in messages:
        everything = extract_entities(message, product_names=names).products
        candidates = index.candidates(message)
        assert extract_entities(message, product_names=candidates).products == everything
        assert len(candidates) <= 8, (message, candidates)


def test_matching_a_hundred_names_stays_cheap() -> None:
    names = tuple(f"{n} {v}".strip() for n in DEMO_NAMES for v in ("", "Pro", "Kids", "XL", "Lite"))
    message = "Hi, I wondered how much the alpin down jackt costs and if you have it for next week"
    catalogue_index(names)  # built once per catalogue
    started = time.process_time()
    for _ in range(50):
        found = extract_entities(message, product_names=catalogue_index(names).candidates(message))
    per_message = (time.process_time() - started) / 50
    assert found.products == ("Alpine Down Jacket",)
    assert per_message < 0.004  # the whole catalogue without the index: about 6 ms here
