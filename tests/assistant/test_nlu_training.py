"""The template expansion and the trainer that build the packaged model."""

from __future__ import annotations

import random
from pathlib import Path

from shopchat.assistant.nlu.corpus import (
    Grammar,
    Template,
    gerund,
    load_grammar,
    render,
    sample_utterance,
)
from shopchat.assistant.nlu.intents import INTENTS, intent_model
from shopchat.assistant.nlu.model import load_model, save_model
from shopchat.assistant.nlu.training import TrainingSettings, build_model

TINY = Grammar(
    templates=(
        Template("track_order", "en", "v", "track [my|the] {thing}"),
        Template("track_order", "en", "s", "where is my [parcel|order]"),
        Template("get_refund", "en", "v", "get [my|a] refund [for {thing}|]"),
        Template("get_refund", "en", "s", "I want my money back"),
    ),
    frames={("en", "v"): ("{v}", "how do I {v}?", "help {g}")},
    slots={("en", "thing"): ("order", "package", "parcel")},
)
TINY_SETTINGS = TrainingSettings(utterances_per_intent={"en": 60}, epochs=3)


def test_render_picks_alternatives_and_fills_slots() -> None:
    rng = random.Random(1)
    seen = {render("[a|b] {thing}", "en", TINY, rng) for _ in range(50)}
    assert seen <= {f"{x} {y}" for x in "ab" for y in ("order", "package", "parcel")}
    assert len(seen) > 3


def test_gerund_forms() -> None:
    assert gerund("cancel my order") == "cancelling my order"
    assert gerund("make a change") == "making a change"
    assert gerund("set up an address") == "setting up an address"
    assert gerund("check it") == "checking it"


def test_verb_templates_are_wrapped_in_frames() -> None:
    rng = random.Random(3)
    utterances = {sample_utterance(TINY.templates[0], TINY, rng) for _ in range(60)}
    assert any(text.startswith("how do I track") for text in utterances)
    assert any(text.startswith("help tracking") for text in utterances)


def test_shipped_templates_cover_every_intent_in_five_languages() -> None:
    grammar = load_grammar()
    for language in ("en", "de", "fr", "es", "nl"):
        covered = {t.intent for t in grammar.templates if t.language == language}
        assert covered == set(INTENTS), (language, set(INTENTS) - covered)


def test_training_is_deterministic_and_learns_the_tiny_grammar(tmp_path: Path) -> None:
    intents = ("track_order", "get_refund")
    first = build_model(TINY, intents, TINY_SETTINGS)
    second = build_model(TINY, intents, TINY_SETTINGS)
    save_model(first, tmp_path / "a.json.gz")
    save_model(second, tmp_path / "b.json.gz")
    assert (tmp_path / "a.json.gz").read_bytes() == (tmp_path / "b.json.gz").read_bytes()
    reloaded = load_model(tmp_path / "a.json.gz")
    refund, track = (
        reloaded.probabilities("i want a refund"),
        reloaded.probabilities("track my parcel"),
    )
    assert refund[1] > 0.5 and track[0] > 0.5


def test_packaged_model_knows_every_intent() -> None:
    assert intent_model().intents == INTENTS
