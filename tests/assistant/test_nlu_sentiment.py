from __future__ import annotations

import pytest

from shopchat.assistant.nlu import Sentiment, sentiment


@pytest.mark.parametrize(
    "text",
    [
        "This is ridiculous, third time I'm asking",
        "worst shop I have ever ordered from",
        "WHERE IS MY PACKAGE I PAID WEEKS AGO",
        "If I don't get it by Friday I'll file a chargeback with my bank",
        "Das ist eine Frechheit, ich gehe zum Anwalt",
        "C'est une arnaque, je veux mon argent",
        "Esto es una estafa, estoy harto",
        "Dit is echt belachelijk, nooit meer bij jullie",
        "you idiots lost my order",
    ],
)
def test_angry_customers_are_flagged(text: str) -> None:
    result = sentiment(text)
    assert result.angry
    assert result.score < 0


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order 1042?",
        "Can I pay with PayPal?",
        "My order arrived late and the box was damaged",
        "I ordered a USB cable and an HDMI adapter",
    ],
)
def test_plain_or_mildly_unhappy_messages_are_not_angry(text: str) -> None:
    assert not sentiment(text).angry


def test_score_follows_polarity_and_negation() -> None:
    assert sentiment("Thanks, that was really helpful, great service!").score > 0.3
    assert sentiment("the hoodie arrived broken and late").score < 0
    assert sentiment("not bad at all").score > 0
    assert sentiment("not good").score < 0
    assert sentiment("Where is my order?") == Sentiment(score=0.0, angry=False)


def test_score_stays_within_bounds() -> None:
    for text in ["great great great great great", "bad awful terrible worst scam fraud"]:
        assert -1.0 <= sentiment(text).score <= 1.0
