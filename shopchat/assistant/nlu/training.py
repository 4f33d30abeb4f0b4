"""Build the intent model from the hand-written templates (run by `scripts/train-nlu`).

Deterministic: a fixed seed drives sampling, noise and SGD order, so the
same templates always give the same model file.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from shopchat.assistant.nlu.corpus import LANGUAGES, Grammar, Template, sample_utterance
from shopchat.assistant.nlu.features import extract_features
from shopchat.assistant.nlu.model import LinearModel, softmax, tfidf_vector

SEED = 20261120
_KEYBOARD_NEIGHBOURS = {
    "a": "sqw",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "w",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}
_SLANG = {
    "you": "u",
    "your": "ur",
    "please": "pls",
    "want to": "wanna",
    "going to": "gonna",
    "i am": "im",
    "i'm": "im",
    "have got to": "gotta",
    "to": "2",
}


@dataclass(frozen=True, slots=True)
class TrainingSettings:
    utterances_per_intent: dict[str, int]  # language -> count
    epochs: int = 6
    learning_rate: float = 0.6
    l2: float = 1e-6
    min_document_frequency: int = 2
    noise_rate: float = 0.35


DEFAULT_SETTINGS = TrainingSettings(
    utterances_per_intent={"en": 600, "de": 120, "fr": 110, "es": 110, "nl": 100}
)


def add_typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: a dropped, doubled, swapped or neighbouring letter, or a lost space."""
    positions = [index for index, char in enumerate(text) if char.isalpha()]
    if len(positions) < 4:
        return text
    index = rng.choice(positions[1:-1])
    kind = rng.randrange(5)
    if kind == 0:
        return text[:index] + text[index + 1 :]
    if kind == 1:
        return text[:index] + text[index] + text[index:]
    if kind == 2:
        return text[:index] + text[index + 1] + text[index] + text[index + 2 :]
    if kind == 3:
        neighbours = _KEYBOARD_NEIGHBOURS.get(text[index].lower(), text[index])
        return text[:index] + rng.choice(neighbours) + text[index + 1 :]
    spaces = [index for index, char in enumerate(text) if char == " "]
    return text if not spaces else text[: (cut := rng.choice(spaces))] + text[cut + 1 :]


def add_noise(text: str, rng: random.Random, rate: float) -> str:
    """Informal variants the way customers type: typos, slang, no capitals or punctuation."""
    if rng.random() < rate:
        text = add_typo(text, rng)
    if rng.random() < rate / 3:
        text = add_typo(text, rng)
    if rng.random() < rate / 2:
        words = text.split(" ")
        lowered = [_SLANG.get(word.lower(), word) for word in words]
        text = " ".join(lowered)
    if rng.random() < 0.5:
        text = text.lower()
    if rng.random() < 0.3:
        text = text.rstrip("?.! ")
    return text


def generate_examples(
    grammar: Grammar, settings: TrainingSettings, rng: random.Random
) -> list[tuple[str, str]]:
    """Distinct (utterance, intent) pairs sampled from each intent's templates, per language."""
    by_intent_language: dict[tuple[str, str], list[Template]] = {}
    for template in grammar.templates:
        by_intent_language.setdefault((template.intent, template.language), []).append(template)
    examples: dict[str, str] = {}
    for (intent, language), templates in sorted(by_intent_language.items()):
        wanted = settings.utterances_per_intent.get(language, 100)
        for _ in range(wanted):
            template = rng.choice(templates)
            utterance = add_noise(
                sample_utterance(template, grammar, rng), rng, settings.noise_rate
            )
            examples.setdefault(utterance, intent)  # the first intent wins a rare collision
    return sorted(examples.items())


def document_frequencies(texts: Sequence[str]) -> Counter[str]:
    frequencies: Counter[str] = Counter()
    for text in texts:
        frequencies.update(set(extract_features(text)))
    return frequencies


def inverse_document_frequencies(texts: Sequence[str], min_frequency: int) -> dict[str, float]:
    frequencies = document_frequencies(texts)
    total = len(texts)
    return {
        feature: math.log((1 + total) / (1 + count)) + 1.0
        for feature, count in frequencies.items()
        if count >= min_frequency
    }


def train(
    examples: Sequence[tuple[str, str]],
    intents: Sequence[str],
    settings: TrainingSettings,
    rng: random.Random,
) -> LinearModel:
    """Multinomial logistic regression by plain SGD on unit-length TF-IDF vectors."""
    idf = inverse_document_frequencies(
        [text for text, _ in examples], settings.min_document_frequency
    )
    index_of = {intent: index for index, intent in enumerate(intents)}
    vectors = [
        (tfidf_vector(extract_features(text), idf), index_of[intent]) for text, intent in examples
    ]
    width = len(intents)
    rows: dict[str, list[float]] = {feature: [0.0] * width for feature in idf}
    bias = [0.0] * width
    order = list(range(len(vectors)))
    for epoch in range(settings.epochs):
        rng.shuffle(order)
        rate = settings.learning_rate / (1 + epoch)
        for position in order:
            vector, target = vectors[position]
            _sgd_step(vector, target, rows, bias, rate, settings.l2)
    return LinearModel(
        intents=tuple(intents),
        idf=idf,
        rows={feature: tuple(row) for feature, row in rows.items()},
        bias=tuple(bias),
    )


def _sgd_step(
    vector: list[tuple[str, float]],
    target: int,
    rows: dict[str, list[float]],
    bias: list[float],
    rate: float,
    l2: float,
) -> None:
    scores = list(bias)
    for feature, value in vector:
        scores = [
            score + value * weight for score, weight in zip(scores, rows[feature], strict=True)
        ]
    gradients = softmax(scores)
    gradients[target] -= 1.0
    steps = [rate * gradient for gradient in gradients]
    touched = [(index, step) for index, step in enumerate(steps) if abs(step) > 1e-5]
    shrink = 1.0 - rate * l2
    if len(touched) > len(steps) // 3:  # most classes move: a whole-row update is faster
        for feature, value in vector:
            rows[feature] = [
                weight * shrink - step * value
                for weight, step in zip(rows[feature], steps, strict=True)
            ]
    else:
        for feature, value in vector:
            row = rows[feature]
            for index, step in touched:
                row[index] = row[index] * shrink - step * value
    for index, step in touched:
        bias[index] -= step * 0.1


def build_model(
    grammar: Grammar, intents: Sequence[str], settings: TrainingSettings = DEFAULT_SETTINGS
) -> LinearModel:
    rng = random.Random(SEED)
    examples = generate_examples(grammar, settings, rng)
    return train(examples, intents, settings, rng)


__all__ = ["LANGUAGES", "build_model", "generate_examples"]
