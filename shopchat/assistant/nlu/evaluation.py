"""Measure the intent classifier on a labelled TSV file: accuracy, per-intent scores, speed."""

from __future__ import annotations

import csv
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from shopchat.assistant.nlu.intents import IntentPrediction

REQUIRED_COLUMNS = ("instruction", "intent")


class EvalFileError(ValueError):
    """The evaluation file is missing, unreadable or not shaped as expected."""


@dataclass(frozen=True, slots=True)
class LabelledUtterance:
    text: str
    intent: str


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    support: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True, slots=True)
class EvalReport:
    total: int
    correct: int
    per_intent: tuple[IntentScore, ...]
    confusions: tuple[
        tuple[str, str, int], ...
    ]  # (expected, predicted, count), most frequent first
    mean_microseconds: float
    p95_microseconds: float

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def read_labelled_file(path: Path) -> list[LabelledUtterance]:
    """Rows of a TSV with a header holding at least `instruction` and `intent`."""
    if not path.is_file():
        raise EvalFileError(f"{path}: no such file")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            raise EvalFileError(f"{path}: the file is empty")
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise EvalFileError(f"{path}: missing column(s) {', '.join(missing)} in the header")
        text_at, intent_at = header.index("instruction"), header.index("intent")
        return [
            _labelled_row(row, text_at, intent_at, path, reader.line_num)
            for row in reader
            if any(cell.strip() for cell in row)
        ]


def _labelled_row(
    row: list[str], text_at: int, intent_at: int, path: Path, line: int
) -> LabelledUtterance:
    if len(row) <= max(text_at, intent_at) or not row[intent_at].strip():
        raise EvalFileError(
            f"{path}:{line}: malformed row (expected the instruction and intent columns)"
        )
    return LabelledUtterance(text=row[text_at], intent=row[intent_at].strip())


def evaluate(
    utterances: Sequence[LabelledUtterance], classify: Callable[[str], IntentPrediction]
) -> EvalReport:
    predictions: list[str] = []
    timings: list[float] = []
    for utterance in utterances:
        started = time.perf_counter()
        predictions.append(classify(utterance.text).intent)
        timings.append((time.perf_counter() - started) * 1e6)
    pairs = [
        (utterance.intent, predicted)
        for utterance, predicted in zip(utterances, predictions, strict=True)
    ]
    confusions = Counter(
        (expected, predicted) for expected, predicted in pairs if expected != predicted
    )
    return EvalReport(
        total=len(pairs),
        correct=sum(expected == predicted for expected, predicted in pairs),
        per_intent=_per_intent_scores(pairs),
        confusions=tuple(
            (e, p, n)
            for (e, p), n in sorted(confusions.items(), key=lambda item: (-item[1], item[0]))
        ),
        mean_microseconds=sum(timings) / len(timings) if timings else 0.0,
        p95_microseconds=_percentile(timings, 95),
    )


def _per_intent_scores(pairs: Sequence[tuple[str, str]]) -> tuple[IntentScore, ...]:
    expected_counts = Counter(expected for expected, _ in pairs)
    predicted_counts = Counter(predicted for _, predicted in pairs)
    hits = Counter(expected for expected, predicted in pairs if expected == predicted)
    scores = []
    for intent in sorted(expected_counts):
        precision = hits[intent] / predicted_counts[intent] if predicted_counts[intent] else 0.0
        recall = hits[intent] / expected_counts[intent]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(IntentScore(intent, expected_counts[intent], precision, recall, f1))
    return tuple(scores)


def _percentile(values: Sequence[float], percent: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(percent / 100 * len(ordered)) - 1)]


def format_report(report: EvalReport, *, top_confusions: int = 10) -> str:
    lines = [
        f"utterances: {report.total}",
        f"top-1 accuracy: {report.accuracy:.4f} ({report.correct}/{report.total})",
        "",
        f"{'intent':<28} {'n':>5} {'precision':>9} {'recall':>7} {'f1':>6}",
    ]
    lines += [
        f"{s.intent:<28} {s.support:>5} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f}"
        for s in report.per_intent
    ]
    lines += ["", "most frequent confusions (expected -> predicted: count):"]
    lines += [f"  {e} -> {p}: {n}" for e, p, n in report.confusions[:top_confusions]] or ["  none"]
    lines += [
        "",
        f"speed: mean {report.mean_microseconds:.0f} us, "
        f"p95 {report.p95_microseconds:.0f} us per utterance",
    ]
    return "\n".join(lines) + "\n"
