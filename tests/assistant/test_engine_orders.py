"""Order questions: the verified owner, guests with number and billing email, policies."""

from __future__ import annotations

from tests.assistant.test_engine_harness import (  # noqa: F401
    RAVI,
    SOFIA,
    Bot,
    bot_fixture,
    demo_site_fixture,
    wc_store_fixture,
    woo_bot_fixture,
    woo_site_fixture,
)


async def test_the_verified_owner_gets_status_items_and_tracking(bot: Bot) -> None:
    reply = await bot.ask("Where is my order 1001?", customer=RAVI)
    assert "1001" in reply.text and "completed and shipped" in reply.text
    assert "Ridge Hiking Boots" in reply.text and "€188.00" in reply.text
    assert "DHL JJD000390007821456" in reply.text
    assert reply.meta["intent"] == "track_order" and not reply.handoff
    assert [t["name"] for t in reply.meta["tools"]] == ["order_status"]


async def test_a_verified_customer_without_a_number_sees_the_latest_order(bot: Bot) -> None:
    reply = await bot.ask("where is my parcel?", customer=SOFIA)
    assert "1014" in reply.text and "Hydration Pack 12" in reply.text
    assert "Order 1013" in reply.quick_replies


async def test_a_guest_is_asked_for_number_and_email_then_answered(bot: Bot) -> None:
    first = await bot.ask("Where is my order?")
    assert "order number" in first.text and "email" in first.text
    assert "Camp Slip-On Clogs" not in first.text
    second = await bot.ask("It's 1016")
    assert "email" in second.text and "Camp" not in second.text
    third = await bot.ask("jonas.becker@example.net")
    assert "1016" in third.text and "cancelled" in third.text
    assert "Camp Slip-On Clogs" in third.text


async def test_a_guest_giving_both_at_once_is_answered(bot: Bot) -> None:
    reply = await bot.ask("Status of order #1016 please, email Jonas.Becker@example.net")
    assert "Camp Slip-On Clogs" in reply.text


async def test_an_open_order_can_be_cancelled_by_the_team(bot: Bot) -> None:
    reply = await bot.ask("Can I cancel order 1002?", customer=RAVI)
    assert "free of charge until they have shipped" in reply.text  # the shop's policy
    assert "hasn't shipped yet" in reply.text
    assert "Talk to a person" in reply.quick_replies
    assert reply.meta["sources"]


async def test_a_shipped_order_can_be_returned_not_cancelled(bot: Bot) -> None:
    reply = await bot.ask("I want to cancel order 1013", customer=SOFIA)
    assert "already shipped" in reply.text and "Return policy" in reply.quick_replies


async def test_refunds_come_from_the_order(bot: Bot) -> None:
    reply = await bot.ask("Where is my refund for order 1012?", customer=SOFIA)
    assert "€168.95" in reply.text and "2 Dec 2025" in reply.text
    none = await bot.ask("has my refund for order 1002 been processed?", customer=RAVI)
    assert "No refund has been issued on order 1002" in none.text


async def test_the_invoice_is_in_the_account(bot: Bot) -> None:
    reply = await bot.ask("I need the invoice for order 1001", customer=RAVI)
    assert "https://northwind-outfitters.example/my-account/orders/" in reply.text


async def test_without_an_order_the_policy_answers(bot: Bot) -> None:
    reply = await bot.ask("What is your refund policy?")
    assert "within 30 days" in reply.text and reply.meta["sources"]


async def test_order_lookup_over_http_from_the_woocommerce_store(woo_bot: Bot) -> None:
    reply = await woo_bot.ask("Wo ist meine Bestellung 1001?", customer=RAVI, language="de")
    assert "Bestellung 1001 vom 12.01.2026" in reply.text
    assert "188,00 €" in reply.text and "JJD000390007821456" in reply.text
    guest = await woo_bot.fresh().ask("order 1016, jonas.becker@example.net")
    assert "Camp Slip-On Clogs" in guest.text
