from __future__ import annotations

import datetime as dt

import pytest

from shopchat.assistant.nlu import Entities, extract_entities

CATALOGUE = ("Hoodie", "Blue Hoodie", "T-Shirt", "Coffee Mug", "Wireless Headphones")
TODAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("Where is order #1042?", ("1042",)),
        ("order 1042 has not arrived", ("1042",)),
        ("Bestellung 1042 ist noch nicht da", ("1042",)),
        ("Bestellung Nr. 55231 bitte stornieren", ("55231",)),
        ("ma commande n° 88123", ("88123",)),
        ("pedido 4411 y pedido 4412", ("4411", "4412")),
        ("my order number is 7781", ("7781",)),
        # a young shop's numbers, and the assistant's own quick replies
        ("Where is my order #32?", ("32",)),
        ("Order 24", ("24",)),
        ("Bestellung 7", ("7",)),
        ("Commande 21", ("21",)),
        ("Pedido 5", ("5",)),
        ("Bestelling 99", ("99",)),
        ("#3 has not arrived", ("3",)),
        # order-number plugins
        ("order 2024-0001", ("2024-0001",)),
        ("Bestellung Nr. WC-1042 ist nicht da", ("WC-1042",)),
        ("order INV/2024/17 please", ("INV/2024/17",)),
        ("status of #2025-0042?", ("2025-0042",)),
    ],
)
def test_order_numbers_are_found(text: str, numbers: tuple[str, ...]) -> None:
    assert extract_entities(text).order_numbers == numbers


@pytest.mark.parametrize(
    "text",
    [
        "call me on +49 170 1234567",
        "my number is 0612345678",
        "I paid 1042 EUR for it",
        "it cost $1,042.50",
        "I have been a customer since 2019",
        "I waited 1042 days",
        "I want to order 2 jackets",
        "can I order 3 of them?",
        "order 12.50 worth of socks",
        "ships in 2-3 days",
    ],
)
def test_phone_numbers_prices_and_years_are_not_order_numbers(text: str) -> None:
    assert extract_entities(text).order_numbers == ()


def test_the_shops_own_numbers_and_their_format_are_found_without_an_order_word() -> None:
    known = ("WC-200", "2024-0017")
    assert extract_entities("where is WC-200?", known_orders=known).order_numbers == ("WC-200",)
    assert extract_entities("and wc-199?", known_orders=known).order_numbers == ("wc-199",)
    assert extract_entities("is 2024-0016 shipped", known_orders=known).order_numbers == (
        "2024-0016",
    )
    assert extract_entities("it took 10-12 days", known_orders=known).order_numbers == ()


def test_order_number_next_to_a_phone_number() -> None:
    entities = extract_entities("order 5521, reach me at +44 20 7946 0958")
    assert entities.order_numbers == ("5521",)


def test_emails() -> None:
    entities = extract_entities("send it to jane.doe+shop@example.co.uk or JD@mail.de please")
    assert entities.emails == ("jane.doe+shop@example.co.uk", "JD@mail.de")


@pytest.mark.parametrize(
    ("text", "products"),
    [
        ("is the hoddie back in stock?", ("Hoodie",)),
        ("I want two coffe mugs", ("Coffee Mug",)),
        ("wirless headphones price?", ("Wireless Headphones",)),
        ("one blue hoodie and a tshirt", ("Blue Hoodie", "T-Shirt")),
        ("do you have socks?", ()),
    ],
)
def test_products_match_the_catalogue_despite_typos(text: str, products: tuple[str, ...]) -> None:
    assert extract_entities(text, product_names=CATALOGUE).products == products


def test_short_words_need_an_exact_match() -> None:
    assert extract_entities("a cap", product_names=("Cup",)).products == ()


def test_quantities() -> None:
    assert extract_entities("I want 2 hoodies and three mugs").quantities == (2, 3)
    assert extract_entities("3x coffee mug please").quantities == (3,)
    assert extract_entities("Ich möchte zwei Tassen").quantities == (2,)


def test_quantities_ignore_order_numbers_prices_and_durations() -> None:
    text = "order 5521 cost 45 euros and took 3 days"
    assert extract_entities(text).quantities == ()


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("delivered on 2026-11-18", (dt.date(2026, 11, 18),)),
        ("bestellt am 19.11.2026", (dt.date(2026, 11, 19),)),
        ("I ordered yesterday", (dt.date(2026, 11, 19),)),
        ("kommt es morgen an?", (dt.date(2026, 11, 21),)),
        ("Guten Morgen, wo ist mein Paket?", ()),
        ("j'ai commandé hier", (dt.date(2026, 11, 19),)),
        ("hier is mijn vraag", ()),
        ("on 31.02.2026", ()),
    ],
)
def test_dates_absolute_and_relative_to_today(text: str, dates: tuple[dt.date, ...]) -> None:
    assert extract_entities(text, today=TODAY).dates == dates


def test_date_digits_are_not_order_numbers_or_quantities() -> None:
    entities = extract_entities("ordered 2026-11-18, order 3301", today=TODAY)
    assert entities.order_numbers == ("3301",)
    assert entities.quantities == ()


def test_nothing_found_in_plain_text() -> None:
    assert extract_entities("hello there", product_names=CATALOGUE) == Entities()
