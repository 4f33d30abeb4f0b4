"""Turn an utterance into the sparse features the intent model reads.

Shared by training and inference so both see exactly the same features.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from itertools import pairwise

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_EMAIL = re.compile(r"\S+@\S+")
_WORD = re.compile(r"[a-z#]+|\?")
_CHAR_NGRAM_SIZES = (3, 4, 5)


def normalize(text: str) -> str:
    """Lower-case, fold accents and replace numbers and e-mails by placeholders.

    Numbers carry no intent ("order 1042" and "order 77" mean the same), and
    accent folding makes "café"/"cafe" or "Rückerstattung"/"Ruckerstattung" one word.
    """
    text = _EMAIL.sub(" #email ", text.lower())
    text = _NUMBER.sub(" #num ", text)
    text = text.replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def tokenize(text: str) -> list[str]:
    """Words of the normalized text; a question mark is kept as a token of its own."""
    return _WORD.findall(normalize(text))


def _char_ngrams(word: str) -> list[str]:
    padded = f"<{word}>"
    return [
        padded[start : start + size]
        for size in _CHAR_NGRAM_SIZES
        for start in range(len(padded) - size + 1)
    ]


def extract_features(text: str) -> Counter[str]:
    """Counts of word unigrams (`w:`), word bigrams (`b:`) and in-word character n-grams (`c:`).

    Character n-grams keep typos ("cancelation", "hoddie") close to the right word.
    """
    words = tokenize(text)
    features: Counter[str] = Counter()
    features.update(f"w:{word}" for word in words)
    features.update(f"b:{left}_{right}" for left, right in pairwise(words))
    for word in words:
        if word[0] != "#" and word != "?":
            features.update(f"c:{gram}" for gram in _char_ngrams(word))
    return features
