"""The built-in assistant: understand a turn, look things up through the tools, answer.

Offline and cheap (the classifier takes about half a millisecond): language, intent,
sentiment and entities decide which tools to call; templates in the customer's
language turn the tool results into a short answer. Every order, price and stock fact
in an answer comes from a ``ToolResult``; who may see what is decided in the tools
alone, from the verified identity, so nothing a customer types widens access.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from shopchat.assistant import templates as t
from shopchat.assistant.nlu import Entities, Sentiment, classify, detect_language, sentiment
from shopchat.assistant.nlu.entities import extract_entities, sku_like
from shopchat.assistant.responder import HistoryItem, Reply, ResponderDeps, StreamSink, Turn
from shopchat.assistant.tools import ToolResult, Tools, tools_for_turn
from shopchat.knowledge.repository import STOPWORDS, search_terms

log = logging.getLogger(__name__)

LOW_CONFIDENCE = 0.5
ANGRY_SCORE = -0.6  # "where is my refund" scores -0.5: negative words, not anger
FAQ_CONFIDENCE = 0.7
MAX_REPLY_CHARS = 1500
_HISTORY_TURNS = 6  # customer messages looked back at for an order number, email or topic
ORDER_INTENTS = frozenset(
    {
        "track_order",
        "cancel_order",
        "change_order",
        "change_shipping_address",
        "check_cancellation_fee",
        "check_invoice",
        "get_invoice",
        "get_refund",
        "track_refund",
    }
)
_CANCEL_INTENTS = frozenset(
    {"cancel_order", "change_order", "change_shipping_address", "check_cancellation_fee"}
)
_PRODUCT_INTENTS = frozenset({"product_search", "product_stock_price", "product_recommendation"})
_OPEN_STATUSES = frozenset({"pending", "processing", "on-hold"})
_QUICK_INTENTS = {
    "track": "track_order",
    "shipping": "delivery_options",
    "payment": "check_payment_methods",
    "returns": "check_refund_policy",
    "person": "contact_human_agent",
    "products": "product_search",
    "cancel": "cancel_order",
}
_ACCOUNT_ANSWERS = {
    "create_account": ("account_create", "my_account"),
    "edit_account": ("account_edit", "edit_account"),
    "recover_password": ("account_password", "lost_password"),
    "delete_account": ("account_delete", "edit_account"),
    "switch_account": ("account_switch", "my_account"),
    "registration_problems": ("account_problem", "my_account"),
    "set_up_shipping_address": ("account_address", "addresses"),
}
_HUMAN = re.compile(
    r"\b(human|real person|a person|an agent|live agent|someone real|operator|mensch(en)?|"
    r"mitarbeiter(in)?|humain|conseiller|quelqu'un|humano|una persona|agente|medewerker|"
    r"echt persoon)\b",
    re.IGNORECASE,
)
_INJECTION = re.compile(
    r"ignore (all |any |your |the |previous |prior )*(rules|instructions)|\bi am (the |an )?"
    r"(admin|administrator|owner|developer)\b|^\s*(system|assistant|developer)\s*:|"
    r"you are now|developer mode|jailbreak|reveal .*(orders|prompt)",
    re.IGNORECASE | re.MULTILINE,
)
_BARE_NUMBER = re.compile(
    r"(?<![\w.,/-])#?((?:[A-Za-z]{1,5}-)?\d{1,12}(?:[-/]\d{1,12}){0,2})(?![\w.,/-])"
)
_MIN_BARE_DIGITS = 3  # a shorter bare number is an order number only when we asked for one
# "my order", "mein Paket": the customer's own orders, not one named earlier in the chat.
_OWN_ORDERS = re.compile(
    r"\b(?:my (?:last |latest |recent )?(?:orders?|parcels?|packages?|delivery|purchases?)|"
    r"meine? (?:letzte |neueste )?(?:bestellung(?:en)?|paket|lieferung)|"
    r"m(?:a|es|on) (?:dernière )?(?:commandes?|colis|livraison)|"
    r"mis? (?:último )?(?:pedidos?|paquetes?|compras?)|"
    r"mijn (?:laatste )?(?:bestellingen?|pakket))\b",
    re.IGNORECASE,
)
# "can I cancel it?", "wann kommt sie?": a question about the order named before.
_REFERS_BACK = re.compile(
    r"\b(?:it|its|that one|this one|th(?:at|is) order|the same|sie|ihn|diese[nrs]?|davon|"
    r"ça|cela|celle-ci|celle-là|elle|esa|ese|eso|esta|este|esto|deze|dat)\b",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_QUERY_NOISE = frozenset(
    """a an and any are available be buy can cost costs do does for find from get go goes got
    have how i i'm im in is it looking look me much my need of on or please price prices
    product products recommend recommendation search sell show similar some something stock
    suggest that the there this to want well what which with would you your good best item
    items also tell about buy bought kind type
    habt ihr gibt es kostet kosten preis lager verfügbar suche suchen zeig mir ich einen eine
    ein haben sie was wie viel empfehlen passt dazu gut zu der die das und noch auf
    avez vous combien coûte prix stock disponible cherche je un une des le la les quel quelle
    recommandez avec va bien du de en est il y a
    tienen tiene cuánto cuesta precio disponible busco un una el la los las qué me recomiendas
    con hay de en stock
    hebben jullie hoeveel kost prijs voorraad zoek ik een het de wat raad aan met past
    bij""".split()
)


@dataclass(frozen=True, slots=True)
class Understanding:
    language: str
    intent: str
    confidence: float
    mood: Sentiment
    entities: Entities
    injection: bool
    alternatives: tuple[str, ...] = ()  # the classifier's runners-up


@dataclass(slots=True)
class Answer:
    text: str
    quick_replies: tuple[str, ...] = ()
    handoff: bool = False
    confidence: float | None = None  # overrides the classifier's when the answer is sure
    sources: list[str] = field(default_factory=list)


Handler = Callable[["Conversation"], Awaitable[Answer]]


class AssistantResponder:
    """Answers from the shop's own data and knowledge, in the customer's language."""

    def __init__(self, deps: ResponderDeps) -> None:
        self._deps = deps

    async def respond(self, turn: Turn, *, stream: StreamSink) -> Reply | None:
        understood = understand(turn)
        if understood.injection:
            log.info("prompt-injection phrasing in conversation %s", turn.conversation_id)
        tools = await tools_for_turn(self._deps, turn)
        answer = await Conversation(turn, understood, tools).answer()
        return _reply(turn, understood, answer, tools)


def understand(turn: Turn) -> Understanding:
    """Language, intent, mood and entities of one customer message."""
    prediction = classify(turn.text)
    label = _quick_reply_intent(turn.text)
    return Understanding(
        language=_language(turn),
        intent=label or prediction.intent,
        confidence=1.0 if label else prediction.confidence,
        mood=sentiment(turn.text),
        entities=extract_entities(turn.text, known_orders=known_orders(turn)),
        injection=bool(_INJECTION.search(turn.text)),
        alternatives=tuple(name for name, _ in prediction.alternatives),
    )


def known_orders(turn: Turn) -> tuple[str, ...]:
    """The verified customer's recent order numbers, as the shop prints them."""
    orders = turn.customer.recent_orders if turn.customer else []
    return tuple(str(o["number"]) for o in orders if isinstance(o, dict) and o.get("number"))


def person_needed(turn: Turn, understood: Understanding) -> str | None:
    """Why this turn goes to a person at once (asked for one, or angry), else None.

    The LLM path asks too, before the model, so both paths hand off alike.
    """
    asked = understood.intent == "contact_human_agent" and understood.confidence >= LOW_CONFIDENCE
    if asked or _HUMAN.search(turn.text):
        return "handoff_request"
    if understood.mood.angry or understood.mood.score <= ANGRY_SCORE:
        return "handoff_angry"
    return None


class Conversation:
    """One turn's reasoning: picks the intent to serve and writes the answer."""

    def __init__(self, turn: Turn, understood: Understanding, tools: Tools) -> None:
        self.turn = turn
        self.u = understood
        self.lang = understood.language
        self.tools = tools
        self.customer = turn.customer
        self._named: tuple[str, ...] | None = None

    def say(self, key: str, **values: Any) -> str:
        return t.say(self.lang, key, **values)

    def quick(self, *keys: str) -> tuple[str, ...]:
        return tuple(t.quick(self.lang, key) for key in keys)

    async def answer(self) -> Answer:
        if reason := person_needed(self.turn, self.u):
            return self.handoff(reason)
        intent = self._intent()
        if intent not in _NO_FAQ_FIRST:
            faq = await self.tools.search_knowledge(query=self.turn.text)
            if _names_the_entry(faq, self.turn.text):
                return self.policy_answer(faq, ())
        if intent is None:
            return await self.unsure()
        return await _HANDLERS.get(intent, Conversation.knowledge_or_unsure)(self)

    def _intent(self) -> str | None:
        """The intent to serve, or None when we do not know."""
        intent, sure = self.u.intent, self.u.confidence >= LOW_CONFIDENCE
        gives_order_details = bool(self._numbers_now() or self.u.entities.emails)
        if gives_order_details and _mostly_details(self.turn.text):
            return self._earlier_order_intent() or "track_order"
        if self.u.entities.order_numbers and not (sure and intent in _PRODUCT_INTENTS):
            ranked = (intent, *self.u.alternatives) if not sure else (intent,)
            return next((i for i in ranked if i in ORDER_INTENTS), "track_order")
        return intent if sure else None

    # -- orders ---------------------------------------------------------------

    async def track_order(self) -> Answer:
        looked_up = await self.look_up_order()
        if isinstance(looked_up, Answer):
            return looked_up
        others = tuple(looked_up.data.get("others", ()))
        return Answer(_render_order(self.lang, looked_up.data), others + self.quick("person"))

    async def cancel_or_change(self) -> Answer:
        policy = await self.tools.search_knowledge(query=self.turn.text)
        if self.order_number() is None and self.customer is None:
            return self.policy_answer(policy, self.quick("track", "person"))
        looked_up = await self.look_up_order()
        if isinstance(looked_up, Answer):
            return _with_policy(self, policy, looked_up)
        order = looked_up.data
        quick: tuple[str, ...]
        if order["status"] in _OPEN_STATUSES:
            line, quick = self.say("cancel_open", number=order["number"]), ("person",)
        elif order["status"] == "completed":
            line, quick = self.say("cancel_shipped", number=order["number"]), ("returns", "person")
        else:
            status = t.status(self.lang, order["status"])
            line, quick = self.say("order_closed", number=order["number"], status=status), ()
        return _with_policy(self, policy, Answer(line, self.quick(*quick)))

    async def refund(self) -> Answer:
        policy = await self.tools.search_knowledge(query=self.turn.text)
        if self.order_number() is None and self.customer is None:
            return self.policy_answer(policy, self.quick("track", "person"))
        looked_up = await self.look_up_order()
        if isinstance(looked_up, Answer):
            return _with_policy(self, policy, looked_up)
        text = _render_order(self.lang, looked_up.data)
        if not looked_up.data["refunds"]:
            text += " " + self.say("refund_none", number=looked_up.data["number"])
        return _with_policy(self, policy, Answer(text, self.quick("returns", "person")))

    async def invoice(self) -> Answer:
        links = await self.tools.account_links()
        link = links.data["links"]["orders"] if links.ok else ""
        if self.order_number() is None or not link:
            policy = await self.tools.search_knowledge(query=self.turn.text)
            if not link:
                return self.policy_answer(policy, self.quick("person"))
            return Answer(self.say("invoice_general", link=link), self.quick("track", "person"))
        looked_up = await self.look_up_order()
        if isinstance(looked_up, Answer):
            return looked_up
        number = looked_up.data["number"]
        return Answer(self.say("invoice", number=number, link=link), self.quick("person"))

    async def look_up_order(self) -> ToolResult | Answer:
        """The order the customer means, if they may see it; else what to say instead."""
        number, email = self.order_number(), self.order_email()
        if number is None and self.customer is not None:
            return await self._latest_order()
        if number is None:
            return Answer(self.say("ask_number" if email else "ask_order"))
        if self.customer is None and email is None:
            return Answer(self.say("ask_email", number=number))
        result = await self.tools.order_status(order_number=number, email=email)
        return result if result.ok else self.order_failure(result, number)

    async def _latest_order(self) -> ToolResult | Answer:
        mine = await self.tools.my_orders()
        if not mine.ok:
            return self.order_failure(mine, "")
        orders = mine.data["orders"]
        if not orders:
            return Answer(self.say("no_orders"), self.quick("person"))
        latest = await self.tools.order_status(order_number=orders[0]["number"])
        if not latest.ok:
            return self.order_failure(latest, orders[0]["number"])
        others = tuple(t.quick(self.lang, "order", number=o["number"]) for o in orders[1:4])
        return ToolResult(latest.name, True, {**latest.data, "others": others})

    def order_failure(self, result: ToolResult, number: str) -> Answer:
        if result.error in {"store_unavailable", "no_store"}:
            return self.handoff("handoff_store")
        if result.error == "rate_limited":
            return Answer(self.say("rate_limited"), self.quick("person"))
        if result.error == "needs_email":
            return Answer(self.say("ask_email", number=number))
        key = "not_found_guest" if self.customer is None else "not_found_verified"
        return Answer(self.say(key, number=number), self.quick("person"))

    def order_number(self) -> str | None:
        now = self._numbers_now()
        if now:
            return now[0]
        if not self._follows_up():
            return None  # a new question: the order named earlier is not what it asks about
        known = known_orders(self.turn)
        history = self.turn.history
        customer_turns = [i for i, item in enumerate(history) if item.role == "customer"]
        for i in reversed(customer_turns[-_HISTORY_TURNS:]):
            text = history[i].text
            asked = i > 0 and _asked_for_number_in(history[i - 1])
            found = extract_entities(text, known_orders=known).order_numbers
            if found := found or _detail_numbers(text, asked=asked):
                return found[0]
        return None

    def _follows_up(self) -> bool:
        """Whether this message continues about an order named before (gives the email for
        it, or says "it"), rather than asking afresh ("where is my order?")."""
        text = self.turn.text
        if self.u.entities.emails:
            return True
        if _OWN_ORDERS.search(text):
            return False
        return _mostly_details(text) or bool(_REFERS_BACK.search(text))

    def order_email(self) -> str | None:
        if self.u.entities.emails:
            return self.u.entities.emails[0]
        for text in self._earlier_customer_texts():
            if found := _EMAIL.search(text):
                return found.group(0)
        return None

    def _numbers_now(self) -> tuple[str, ...]:
        asked = _asked_for_number(self.turn)
        return self.u.entities.order_numbers or _detail_numbers(self.turn.text, asked=asked)

    def _earlier_customer_texts(self) -> list[str]:
        """What the customer (never the assistant or an agent) wrote lately, newest first."""
        texts = [item.text for item in reversed(self.turn.history) if item.role == "customer"]
        return texts[:_HISTORY_TURNS]

    def _earlier_order_intent(self) -> str | None:
        for text in self._earlier_customer_texts():
            prediction = classify(text)
            if prediction.intent in ORDER_INTENTS and prediction.confidence >= LOW_CONFIDENCE:
                return prediction.intent
        return None

    # -- shop facts ------------------------------------------------------------

    async def shipping(self) -> Answer:
        result = await self.tools.shipping_options()
        if not result.ok:
            return await self.tool_failed(result)
        lines = [self.say("shipping_head")]
        for zone in result.data["zones"]:
            # WooCommerce names zone 0 for the shop owner ("Locations not covered by your
            # other zones"); customers read "everywhere else" in their own language.
            name = self.say("everywhere_else") if zone["everywhere_else"] else zone["name"]
            for method in zone["methods"]:
                lines.append(f"• {name}: {method['title']}{self._cost(method)}")
        return Answer("\n".join(lines), self.quick("track", "payment"))

    def _cost(self, method: dict[str, Any]) -> str:
        if method["free_from"]:
            amount = t.money(self.lang, method["free_from"], self._currency())
            return " — " + self.say("free_from", amount=amount)
        if method["cost"] is None or float(method["cost"]) == 0:
            return " — " + self.say("free")
        return " — " + t.money(self.lang, method["cost"], self._currency())

    def _currency(self) -> str:
        return str(self.turn.site_settings.get("currency") or "EUR")

    async def payment(self) -> Answer:
        result = await self.tools.payment_methods()
        if not result.ok:
            return await self.tool_failed(result)
        methods = ", ".join(m["title"] for m in result.data["methods"])
        if self.u.intent == "payment_issue":
            return Answer(self.say("payment_issue", methods=methods), self.quick("person"))
        return Answer(self.say("payment", methods=methods), self.quick("shipping", "track"))

    async def named_products(self) -> tuple[str, ...]:
        """Catalogue products the message names, typos tolerated ("alpin down jackt")."""
        if self._named is None:
            names = await self.tools.product_names(self.turn.text)
            self._named = extract_entities(self.turn.text, product_names=names).products
        return self._named

    async def _product_query(self) -> str:
        """What to look up: SKUs or catalogue names the customer typed, else product words."""
        if skus := self._skus():
            return " ".join(skus[:3])
        named = await self.named_products()
        return " ".join(named[:3]) if named else product_query(self.turn.text)

    def _skus(self) -> tuple[str, ...]:
        numbers = set(self.u.entities.order_numbers)
        return tuple(s for s in sku_like(self.turn.text) if s not in numbers)

    async def products(self) -> Answer:
        query = await self._product_query()
        if not query:
            return Answer(self.say("products_ask"), confidence=FAQ_CONFIDENCE)
        found = await self._search(query)
        if not found.ok:
            return await self.tool_failed(found)
        if not found.data["products"]:
            return Answer(self.say("products_none", query=query), self.quick("person"))
        lines = [self.say("products_head")] + [
            self._product_line(p) for p in found.data["products"]
        ]
        return Answer("\n".join(lines), self.quick("shipping", "payment"))

    async def _search(self, query: str) -> ToolResult:
        found = await self.tools.search_products(query=query)
        words = query.split()
        if not found.ok or found.data["products"] or len(words) < 2:
            return found
        seen: dict[int, dict[str, Any]] = {}
        for word in words:  # the store wants every word; try them one by one
            single = await self.tools.search_products(query=word)
            if not single.ok:
                return single
            for product in single.data["products"]:
                seen.setdefault(product["id"], product)
        return ToolResult(found.name, True, {"query": query, "products": list(seen.values())[:5]})

    async def recommend(self) -> Answer:
        named = await self.named_products()
        query = named[0] if named else product_query(self.turn.text)
        result = await self.tools.recommend(query=query or None)
        if not result.ok:
            return await self.tool_failed(result)
        picks = result.data["products"]
        if not picks:
            return Answer(self.say("recommend_none"), self.quick("products"))
        anchor = result.data["for_product"]
        head = (
            self.say("recommend_for", name=anchor["name"]) if anchor else self.say("recommend_head")
        )
        lines = [head] + [self._product_line(p) for p in picks]
        return Answer("\n".join(lines), self.quick("shipping", "payment"))

    def _product_line(self, product: dict[str, Any]) -> str:
        price = t.money(self.lang, product["price"], product["currency"])
        if product["on_sale"]:
            was = t.money(self.lang, product["regular_price"], product["currency"])
            price += f" ({self.say('on_sale', amount=was)})"
        stock = t.stock(self.lang, product)
        link = f" — {product['permalink']}" if product["permalink"] else ""
        return f"• {product['name']} — {price}, {stock}{link}"

    async def account(self) -> Answer:
        key, page = _ACCOUNT_ANSWERS[self.u.intent]
        links = await self.tools.account_links()
        if not links.ok:
            return await self.knowledge_or_unsure()
        quick = self.quick("person") if self.u.intent in {"delete_account"} else ()
        return Answer(self.say(key, link=links.data["links"][page]), quick)

    # -- conversation ---------------------------------------------------------

    async def greeting(self) -> Answer:
        first = self.customer.first_name if self.customer else None
        if first and self.customer is not None and self.customer.segment == "vip":
            text = self.say("greeting_vip", first=first)
        else:
            text = self.say("greeting", name=f" {first}" if first else "", shop=self.turn.site_name)
        return Answer(text, self.quick("track", "products", "shipping"))

    async def thanks(self) -> Answer:
        first = self.customer.first_name if self.customer else None
        return Answer(self.say("thanks", name=f", {first}" if first else ""))

    async def out_of_scope(self) -> Answer:
        text = self.say("out_of_scope", shop=self.turn.site_name)
        return Answer(text, self.quick("track", "products", "shipping"))

    async def simple(self) -> Answer:
        """Intents answered from the knowledge when it has something, else a fixed line."""
        faq = await self.tools.search_knowledge(query=self.turn.text)
        if faq.data.get("entries"):
            return self.policy_answer(faq, ())
        key = _SIMPLE_ANSWERS[self.u.intent]
        quick = ("products",) if key == "place_order" else ("person",)
        return Answer(self.say(key, shop=self.turn.site_name), self.quick(*quick))

    async def policy(self) -> Answer:
        faq = await self.tools.search_knowledge(query=self.turn.text)
        return self.policy_answer(faq, self.quick("track", "person"))

    def policy_answer(self, faq: ToolResult, quick: tuple[str, ...]) -> Answer:
        entries = faq.data.get("entries") or []
        if not entries:
            return Answer(self.say("policy_none"), self.quick("person"))
        best = entries[0]
        return Answer(
            best["body"],  # the shop's own words, as its owner wrote them
            quick,
            confidence=FAQ_CONFIDENCE,
            sources=[best["id"]],
        )

    async def knowledge_or_unsure(self) -> Answer:
        faq = await self.tools.search_knowledge(query=self.turn.text)
        if faq.data.get("entries"):
            return self.policy_answer(faq, ())
        return await self.unsure()

    async def unsure(self) -> Answer:
        faq = await self.tools.search_knowledge(query=self.turn.text)
        if entries := faq.data.get("entries"):
            best = entries[0]
            return Answer(best["body"], confidence=FAQ_CONFIDENCE, sources=[best["id"]])
        product_words = {self.u.intent, *self.u.alternatives} & _PRODUCT_INTENTS or self._skus()
        if product_words or await self.named_products():
            query = await self._product_query()
            found = await self._search(query) if query else None
            if found is not None and found.ok and found.data["products"]:
                answer = await self.products()
                answer.confidence = answer.confidence or FAQ_CONFIDENCE  # the shop has it
                return answer
        if self.turn.low_confidence_turns >= 1:
            return self.handoff("handoff_unsure", confidence=0.0)
        return Answer(
            self.say("clarify"),
            self.quick("track", "shipping", "returns", "person"),
            confidence=0.0,
        )

    async def tool_failed(self, result: ToolResult) -> Answer:
        if result.error == "no_store":
            return Answer(self.say("store_none"), self.quick("person"))
        return self.handoff("handoff_store")

    def handoff(self, key: str, *, confidence: float | None = None) -> Answer:
        return Answer(self.say(key), handoff=True, confidence=confidence)


_SIMPLE_ANSWERS = {
    "place_order": "place_order",
    "review": "review",
    "complaint": "complaint",
    "contact_customer_service": "contact",
    "newsletter_subscription": "policy_none",
}
_HANDLERS: dict[str, Handler] = {
    "track_order": Conversation.track_order,
    **dict.fromkeys(_CANCEL_INTENTS, Conversation.cancel_or_change),
    "get_refund": Conversation.refund,
    "track_refund": Conversation.refund,
    "check_invoice": Conversation.invoice,
    "get_invoice": Conversation.invoice,
    "check_refund_policy": Conversation.policy,
    "delivery_options": Conversation.shipping,
    "delivery_period": Conversation.shipping,
    "check_payment_methods": Conversation.payment,
    "payment_issue": Conversation.payment,
    "product_search": Conversation.products,
    "product_stock_price": Conversation.products,
    "product_recommendation": Conversation.recommend,
    **dict.fromkeys(_ACCOUNT_ANSWERS, Conversation.account),
    **dict.fromkeys(_SIMPLE_ANSWERS, Conversation.simple),
    "greeting": Conversation.greeting,
    "thanks_goodbye": Conversation.thanks,
    "out_of_scope": Conversation.out_of_scope,
}


_NO_FAQ_FIRST = ORDER_INTENTS | {"greeting", "thanks_goodbye", "contact_human_agent"}


def _names_the_entry(faq: ToolResult, text: str) -> bool:
    """Whether the best entry's title is what the customer asks about ("gift wrapping")."""
    entries = faq.data.get("entries") or []
    if not entries:
        return False
    terms = search_terms(text, stopwords=STOPWORDS)
    title = _WORD.findall(entries[0]["title"].casefold())
    hits = sum(1 for term in terms if any(w.startswith(term) or term.startswith(w) for w in title))
    return hits >= min(2, len(terms))


def _with_policy(conversation: Conversation, policy: ToolResult, answer: Answer) -> Answer:
    """The shop's rule first (when it has one written down), then what it means for this order."""
    entries = policy.data.get("entries") or []
    if not entries or answer.handoff:
        return answer
    answer.text = f"{entries[0]['body']}\n\n{answer.text}"
    answer.sources.append(entries[0]["id"])
    return answer


def _render_order(language: str, order: dict[str, Any]) -> str:
    lines = [
        t.say(
            language,
            "order_head",
            number=order["number"],
            date=t.day(language, order["date_created"]),
            status=t.status(language, order["status"]),
        )
    ]
    items = ", ".join(
        f"{i['quantity']} × {i['name']}" if i["quantity"] > 1 else i["name"] for i in order["items"]
    )
    total = t.money(language, order["total"], order["currency"])
    lines.append(t.say(language, "order_items", items=items, total=total))
    if order["tracking"]:
        parcels = ", ".join(
            " ".join(p for p in (x["provider"], x["number"], x["url"]) if p)
            for x in order["tracking"]
        )
        lines.append(t.say(language, "order_tracking", tracking=parcels))
    if order["refunds"]:
        refunds = ", ".join(
            f"{t.money(language, r['amount'], order['currency'])} ({t.day(language, r['date'])})"
            for r in order["refunds"]
        )
        lines.append(t.say(language, "order_refunds", refunds=refunds))
    return " ".join(lines)


def _reply(turn: Turn, understood: Understanding, answer: Answer, tools: Tools) -> Reply:
    quick = () if answer.handoff else answer.quick_replies
    confidence = answer.confidence if answer.confidence is not None else understood.confidence
    meta = {
        "intent": understood.intent,
        "confidence": round(confidence, 4),
        "classifier_confidence": understood.confidence,
        "tools": [{"name": r.name, "ok": r.ok, "error": r.error} for r in tools.calls],
        "sources": answer.sources,
        "sentiment": understood.mood.score,
        "engine": "builtin",
    }
    if understood.injection:
        meta["injection_attempt"] = True
    return Reply(
        text=_guard(answer.text, turn),
        quick_replies=quick[:4],
        handoff=answer.handoff,
        language=understood.language,
        meta=meta,
    )


def _guard(text: str, turn: Turn) -> str:
    """Last line of defence: no email address the customer did not give us, bounded length."""
    own = {e.casefold() for e in _EMAIL.findall(turn.text)}
    if turn.customer and turn.customer.email:
        own.add(turn.customer.email.casefold())
    for item in turn.history:
        if item.role == "customer":
            own.update(e.casefold() for e in _EMAIL.findall(item.text))
    cleaned = _EMAIL.sub(lambda m: m.group(0) if m.group(0).casefold() in own else "…", text)
    return cleaned if len(cleaned) <= MAX_REPLY_CHARS else cleaned[: MAX_REPLY_CHARS - 1] + "…"


def _language(turn: Turn) -> str:
    """The customer's language: what they write in, or the conversation's for short messages."""
    known = turn.language if turn.language in t.LANGUAGES else None
    detected = detect_language(turn.text)
    if len(turn.text.split()) >= 3 or known is None:
        return t.supported(detected) if detected in t.LANGUAGES else (known or "en")
    return known


def _quick_reply_intent(text: str) -> str | None:
    """A tapped quick reply means exactly what its label says, in any language."""
    wanted = text.strip().casefold()
    for key, intent in _QUICK_INTENTS.items():
        for language in t.LANGUAGES:
            if t.quick(language, key).casefold() == wanted:
                return intent
    return None


def _detail_numbers(text: str, *, asked: bool) -> tuple[str, ...]:
    """Bare numbers ("1042", "2024-0001") count as order numbers only in a message that gives
    details; short ones ("32") only when the assistant has just asked for the number."""
    if not _mostly_details(text):
        return ()
    without_emails = _EMAIL.sub(" ", text)
    found = (m.group(1) for m in _BARE_NUMBER.finditer(without_emails))
    return tuple(n for n in found if asked or not n.isdigit() or len(n) >= _MIN_BARE_DIGITS)


def _asked_for_number(turn: Turn) -> bool:
    """Whether the assistant's last message asked for an order number."""
    return bool(turn.history) and _asked_for_number_in(turn.history[-1])


def _asked_for_number_in(item: HistoryItem) -> bool:
    return item.role == "assistant" and item.text in _NUMBER_QUESTIONS


_NUMBER_QUESTIONS = frozenset(
    t.say(language, key) for language in t.LANGUAGES for key in ("ask_order", "ask_number")
)


def _mostly_details(text: str) -> bool:
    """A message that only gives an order number and/or an email ("1042, me@x.com")."""
    rest = _BARE_NUMBER.sub(" ", _EMAIL.sub(" ", text))
    words = [w for w in _WORD.findall(rest.casefold()) if w not in _DETAIL_WORDS]
    return len(words) <= 2


_DETAIL_WORDS = frozenset(
    """order number is my the and email e mail address it's its here you go sure ok yes
    bestellung bestellnummer nummer meine ist und adresse commande numéro est mon ma et
    adresse pedido número es mi y correo bestelling bestelnummer is mijn en""".split()
)


def product_query(text: str) -> str:
    """The words of a product question that name the product ("rain jacket")."""
    words = [w for w in _WORD.findall(text.casefold()) if w not in _QUERY_NOISE and len(w) > 1]
    return " ".join(_singular(w) for w in words[:4])


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("es") and word[-3] in "sxz":
        return word[:-2]
    return word[:-1] if len(word) > 4 and word.endswith("s") and not word.endswith("ss") else word
