"""A linear intent model over TF-IDF features: storage, loading and scoring."""

from __future__ import annotations

import base64
import gzip
import json
import math
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from shopchat.assistant.nlu.features import extract_features

MODEL_PATH = Path(__file__).parent / "data" / "intent-model.json.gz"
_QUANTIZATION_LEVELS = 127


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Multinomial logistic regression: one weight row (a score per intent) per feature."""

    intents: tuple[str, ...]
    idf: dict[str, float]
    rows: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]

    def vectorize(self, text: str) -> list[tuple[str, float]]:
        """Sublinear TF-IDF of the known features, scaled to unit length."""
        return tfidf_vector(extract_features(text), self.idf)

    def probabilities(self, text: str) -> list[float]:
        """Softmax probability of each intent, in the order of `intents`."""
        scores = list(self.bias)
        for feature, value in self.vectorize(text):
            row = self.rows.get(feature)
            if row is not None:
                scores = [score + value * weight for score, weight in zip(scores, row, strict=True)]
        return softmax(scores)


def tfidf_vector(counts: Counter[str], idf: dict[str, float]) -> list[tuple[str, float]]:
    """Unit-length sublinear TF-IDF weights of the features that `idf` knows."""
    weighted = [
        (feature, (1.0 + math.log(count)) * idf[feature])
        for feature, count in counts.items()
        if feature in idf
    ]
    length = math.sqrt(sum(value * value for _, value in weighted)) or 1.0
    return [(feature, value / length) for feature, value in weighted]


def softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]


def save_model(model: LinearModel, path: Path = MODEL_PATH) -> None:
    """Write the model as gzip'd JSON with int8-quantized weights (small, quick to load)."""
    features = sorted(model.rows)
    scale = max((abs(w) for row in model.rows.values() for w in row), default=1.0)
    scale = scale / _QUANTIZATION_LEVELS or 1.0
    quantized = array("b", (round(w / scale) for feature in features for w in model.rows[feature]))
    payload = {
        "intents": list(model.intents),
        "features": features,
        "idf": [round(model.idf[feature], 4) for feature in features],
        "scale": scale,
        "weights": base64.b64encode(quantized.tobytes()).decode("ascii"),
        "bias": [round(b, 5) for b in model.bias],
    }
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    # mtime=0 keeps the file byte-identical between identical trainings.
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def load_model(path: Path = MODEL_PATH) -> LinearModel:
    payload = json.loads(gzip.decompress(path.read_bytes()))
    intents = tuple(payload["intents"])
    width = len(intents)
    weights = array("b")
    weights.frombytes(base64.b64decode(payload["weights"]))
    scale = payload["scale"]
    scaled = [w * scale for w in weights]
    features = payload["features"]
    rows = {
        feature: tuple(scaled[index * width : (index + 1) * width])
        for index, feature in enumerate(features)
    }
    idf = dict(zip(features, payload["idf"], strict=True))
    return LinearModel(intents=intents, idf=idf, rows=rows, bias=tuple(payload["bias"]))
