"""Per-utterance latency of the offline NLU (run by hand: `.venv/bin/python bench/bench_nlu.py`).

Never collected by pytest (the file name does not start with `test_`).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

SAMPLES = (
    "where is my order 1042?",
    "I want to cancel purchase 5521, can you help me?",
    "Ich habe mein Passwort vergessen und kann mich nicht einloggen",
    "Bonjour, je voudrais changer l'adresse de livraison de ma commande",
    "¿Cuánto tarda el envío a Madrid?",
    "Hoi, ik wil mijn geld terug voor de kapotte mok",
    "THIS IS RIDICULOUS, I have been waiting for my refund of 45 euros for weeks",
    "do you have the blue hoddie in size M and how much is it?",
)
CATALOGUE = ("Hoodie", "Blue Hoodie", "Coffee Mug", "Wireless Headphones", "T-Shirt")
ROUNDS = 300


def measure(name: str, function: Callable[[str], object]) -> None:
    timings = []
    for _ in range(ROUNDS):
        for text in SAMPLES:
            started = time.perf_counter()
            function(text)
            timings.append((time.perf_counter() - started) * 1e6)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95)]
    print(f"{name:<18} mean {statistics.fmean(timings):7.0f} us   p95 {p95:7.0f} us")


def main() -> None:
    started = time.perf_counter()
    from shopchat.assistant import nlu
    from shopchat.assistant.nlu.intents import intent_model

    intent_model()
    print(f"import + model load: {(time.perf_counter() - started) * 1000:.0f} ms")
    measure("classify", nlu.classify)
    measure("detect_language", nlu.detect_language)
    measure("sentiment", nlu.sentiment)
    measure("extract_entities", lambda text: nlu.extract_entities(text, product_names=CATALOGUE))

    def everything(text: str) -> None:
        nlu.classify(text)
        nlu.detect_language(text)
        nlu.sentiment(text)
        nlu.extract_entities(text, product_names=CATALOGUE)

    measure("all four", everything)


if __name__ == "__main__":
    main()
