"""Expand the hand-written phrasing templates in `data/` into training utterances.

Template syntax: `[a|b|]` picks one alternative (an empty one makes the part
optional) and `{slot}` is replaced by a value of that slot from `slots.tsv`.
Lines of kind `v` are verb phrases that get wrapped in a request frame of
`frames.tsv` ("can you help me {v}?", "help {g}" with {g} the -ing form),
kind `n` noun phrases in a noun frame ("question about {n}"), and kind `s`
are whole sentences.
"""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
LANGUAGES = ("en", "de", "fr", "es", "nl")

_ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Template:
    intent: str
    language: str
    kind: str  # "v", "n" or "s"
    pattern: str


@dataclass(frozen=True, slots=True)
class Grammar:
    templates: tuple[Template, ...]
    frames: dict[tuple[str, str], tuple[str, ...]]  # (language, kind) -> frames
    slots: dict[tuple[str, str], tuple[str, ...]]  # (language, slot) -> values


def _read_rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row and row[0].strip() and not row[0].startswith("#"):
                yield row


def load_grammar(data_dir: Path = DATA_DIR) -> Grammar:
    templates = [
        Template(intent=row[0], language=path.stem.split("-")[1], kind=row[1], pattern=row[2])
        for path in sorted(data_dir.glob("intents-*.tsv"))
        for row in _read_rows(path)
    ]
    frames: dict[tuple[str, str], list[str]] = defaultdict(list)
    for language, kind, frame in _read_rows(data_dir / "frames.tsv"):
        frames[(language, kind)].append(frame)
    slots: dict[tuple[str, str], list[str]] = defaultdict(list)
    for language, slot, value in _read_rows(data_dir / "slots.tsv"):
        slots[(language, slot)].append(value)
    return Grammar(
        templates=tuple(templates),
        frames={key: tuple(values) for key, values in frames.items()},
        slots={key: tuple(values) for key, values in slots.items()},
    )


def render(pattern: str, language: str, grammar: Grammar, rng: random.Random) -> str:
    """One random reading of a pattern: alternatives picked, slots filled, spaces tidied."""
    for _ in range(8):  # slot values may hold further slots and alternatives
        pattern = _ALTERNATIVES.sub(lambda match: rng.choice(match.group(1).split("|")), pattern)
        pattern = _SLOT.sub(
            lambda match: _slot_value(match.group(1), language, grammar, rng), pattern
        )
        if "[" not in pattern and "{" not in pattern:
            break
    return _SPACES.sub(" ", pattern).strip()


def _slot_value(slot: str, language: str, grammar: Grammar, rng: random.Random) -> str:
    if slot == "num":
        return str(rng.choice((rng.randint(1, 999), rng.randint(1000, 99999))))
    values = grammar.slots.get((language, slot)) or grammar.slots.get(("*", slot))
    if values is None:
        raise KeyError(f"slot {{{slot}}} has no values for language {language!r}")
    return rng.choice(values)


_GERUND_EXCEPTIONS = {
    "be": "being",
    "see": "seeing",
    "get": "getting",
    "set": "setting",
    "put": "putting",
    "shop": "shopping",
    "swap": "swapping",
    "submit": "submitting",
    "stop": "stopping",
    "sign": "signing",
    "log": "logging",
    "opt": "opting",
    "drop": "dropping",
    "chat": "chatting",
    "cancel": "cancelling",
    "travel": "travelling",
    "quit": "quitting",
    "file": "filing",
    "lodge": "lodging",
    "die": "dying",
    "lie": "lying",
    "free": "freeing",
    "agree": "agreeing",
    "unsubscribe": "unsubscribing",
    "plan": "planning",
}


def gerund(verb_phrase: str) -> str:
    """English -ing form of a phrase's first word: "cancel my order" -> "cancelling my order"."""
    verb, _, rest = verb_phrase.partition(" ")
    if verb in _GERUND_EXCEPTIONS:
        form = _GERUND_EXCEPTIONS[verb]
    elif verb.endswith("ie"):
        form = verb[:-2] + "ying"
    elif verb.endswith("e") and not verb.endswith(("ee", "ye", "oe")):
        form = verb[:-1] + "ing"
    else:
        form = verb + "ing"
    return f"{form} {rest}".strip()


def sample_utterance(template: Template, grammar: Grammar, rng: random.Random) -> str:
    """Render one utterance of a template, wrapped in a random frame of its kind."""
    if template.kind == "s":
        return render(template.pattern, template.language, grammar, rng)
    frame = rng.choice(grammar.frames[(template.language, template.kind)])
    phrase = render(template.pattern, template.language, grammar, rng)
    filled = frame.replace("{v}", phrase).replace("{n}", phrase)
    if "{g}" in filled:
        filled = filled.replace("{g}", gerund(phrase))
    return render(filled, template.language, grammar, rng)
