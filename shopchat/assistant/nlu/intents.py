"""Intent classification: which of the shop's intents an utterance expresses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from shopchat.assistant.nlu.model import LinearModel, load_model

SUPPORT_INTENTS: tuple[str, ...] = (
    "cancel_order",
    "change_order",
    "change_shipping_address",
    "check_cancellation_fee",
    "check_invoice",
    "check_payment_methods",
    "check_refund_policy",
    "complaint",
    "contact_customer_service",
    "contact_human_agent",
    "create_account",
    "delete_account",
    "delivery_options",
    "delivery_period",
    "edit_account",
    "get_invoice",
    "get_refund",
    "newsletter_subscription",
    "payment_issue",
    "place_order",
    "recover_password",
    "registration_problems",
    "review",
    "set_up_shipping_address",
    "switch_account",
    "track_order",
    "track_refund",
)
SHOP_INTENTS: tuple[str, ...] = (
    "product_search",
    "product_stock_price",
    "product_recommendation",
    "greeting",
    "thanks_goodbye",
    "out_of_scope",
)
INTENTS: tuple[str, ...] = SUPPORT_INTENTS + SHOP_INTENTS
OUT_OF_SCOPE = "out_of_scope"
_ALTERNATIVE_COUNT = 2


@dataclass(frozen=True, slots=True)
class IntentPrediction:
    intent: str  # one of INTENTS
    confidence: float  # 0..1; below 0.5 means the classifier is unsure
    alternatives: tuple[tuple[str, float], ...] = ()  # the next best intents


@lru_cache(maxsize=1)
def intent_model() -> LinearModel:
    """The packaged model, loaded once on first use."""
    return load_model()


def classify(text: str) -> IntentPrediction:
    """The most likely intent of one customer utterance, with the two runners-up."""
    if not any(char.isalnum() for char in text):
        return IntentPrediction(intent=OUT_OF_SCOPE, confidence=0.0)
    model = intent_model()
    ranked = sorted(
        zip(model.intents, model.probabilities(text), strict=True),
        key=lambda pair: pair[1],
        reverse=True,
    )
    (intent, confidence), runners_up = ranked[0], ranked[1 : 1 + _ALTERNATIVE_COUNT]
    return IntentPrediction(
        intent=intent,
        confidence=round(confidence, 4),
        alternatives=tuple((name, round(probability, 4)) for name, probability in runners_up),
    )
