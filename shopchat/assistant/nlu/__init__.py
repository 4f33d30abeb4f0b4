"""The assistant's offline understanding: intent, language, sentiment and entities.

Pure Python, no network and no model download: the intent model is a small
linear classifier shipped in `data/`, rebuilt by `scripts/train-nlu` from
hand-written phrasing templates (see docs/adr/0010-offline-intent-classifier.md).
"""

from shopchat.assistant.nlu.entities import Entities, extract_entities
from shopchat.assistant.nlu.intents import INTENTS, IntentPrediction, classify
from shopchat.assistant.nlu.language import detect_language
from shopchat.assistant.nlu.sentiment import Sentiment, sentiment

__all__ = [
    "INTENTS",
    "Entities",
    "IntentPrediction",
    "Sentiment",
    "classify",
    "detect_language",
    "extract_entities",
    "sentiment",
]
