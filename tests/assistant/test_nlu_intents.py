"""Intent classification on sentences written for these tests (never trained on)."""

from __future__ import annotations

import pytest

from shopchat.assistant.nlu import INTENTS, IntentPrediction, classify
from tests.assistant.heldout_utterances import HELD_OUT

MIN_HELD_OUT_ACCURACY = 0.9


def test_intents_are_the_27_support_intents_plus_the_shop_ones() -> None:
    assert len(INTENTS) == len(set(INTENTS)) == 33
    assert {"track_order", "get_refund", "product_search", "greeting", "out_of_scope"} <= set(
        INTENTS
    )


def test_held_out_sentences_are_mostly_understood() -> None:
    wrong = [(text, intent, classify(text).intent) for text, intent in HELD_OUT]
    wrong = [miss for miss in wrong if miss[1] != miss[2]]
    accuracy = 1 - len(wrong) / len(HELD_OUT)
    assert accuracy >= MIN_HELD_OUT_ACCURACY, wrong


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("where is my parcel, order 4417?", "track_order"),
        ("I forgot my password", "recover_password"),
        ("Ich möchte meine Bestellung stornieren", "cancel_order"),
        ("hello", "greeting"),
        ("thanks, bye!", "thanks_goodbye"),
    ],
)
def test_clear_requests_are_classified_confidently(text: str, intent: str) -> None:
    prediction = classify(text)
    assert prediction.intent == intent
    assert prediction.confidence >= 0.5


def test_typos_do_not_derail_the_classifier() -> None:
    assert classify("how do i cancle my ordr 5521").intent == "cancel_order"
    assert classify("i fogrot my pasword").intent == "recover_password"


def test_prediction_carries_two_alternatives_ranked_below_the_winner() -> None:
    prediction = classify("I want my money back for the broken lamp")
    assert isinstance(prediction, IntentPrediction)
    assert len(prediction.alternatives) == 2
    assert all(name in INTENTS and name != prediction.intent for name, _ in prediction.alternatives)
    probabilities = [prediction.confidence] + [p for _, p in prediction.alternatives]
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0.0 <= sum(probabilities) <= 1.0 + 1e-6


@pytest.mark.parametrize("text", ["", "   ", "?!", "..."])
def test_text_without_words_is_out_of_scope_with_no_confidence(text: str) -> None:
    assert classify(text) == IntentPrediction(intent="out_of_scope", confidence=0.0)


def test_gibberish_is_not_confidently_a_support_intent() -> None:
    prediction = classify("zxqv plorb wuggle")
    assert prediction.intent == "out_of_scope" or prediction.confidence < 0.5
