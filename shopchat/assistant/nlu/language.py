"""Guess the language of a short customer message from script, letters and common words."""

from __future__ import annotations

import re
import unicodedata

DEFAULT_LANGUAGE = "en"
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

# Short, frequent words that are rare in the other languages: articles, pronouns,
# auxiliaries and the shop vocabulary customers actually type.
_COMMON_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the and is are you your my i me it this that what where when how can could would "
        "want need have has do does did not with for of to please thanks thank order hi hello "
        "help refund account shipping delivery invoice was will an be i'm don't can't".split()
    ),
    "de": frozenset(
        "der die das und ist sind ich du sie mein meine meinen mir mich nicht wie wo wann was "
        "bitte danke ein eine einen kann können möchte will habe hat mit für von zu auf noch "
        "bestellung rechnung lieferung konto hallo warum schon auch aber ihr ihre wurde es kommt "
        "an ist's nichts paket".split()
    ),
    "fr": frozenset(
        "le la les et est sont je tu vous mon ma mes moi ne pas comment où quand quoi que qui "
        "merci bonjour un une des avec pour de du au aux commande facture livraison compte "
        "veux voudrais puis peux mais c'est j'ai est-ce suis votre vos".split()
    ),
    "es": frozenset(
        "el la los las y es son yo tu usted mi mis me no cómo como dónde donde cuándo qué que "
        "gracias hola un una unos con para por del al pedido factura envío cuenta quiero "
        "puedo necesito pero está estoy su sus hay".split()
    ),
    "nl": frozenset(
        "de het een en is zijn ik jij je u mijn mij niet hoe waar wanneer wat bedankt dank "
        "hallo hoi met voor van naar op nog bestelling factuur levering account wil kan "
        "graag heb heeft maar ook geen jullie wordt".split()
    ),
    "it": frozenset(
        "il lo la gli le e è sono io tu mio mia non come dove quando cosa che grazie ciao "
        "buongiorno un una con per di del ordine fattura spedizione voglio posso ho".split()
    ),
    "pt": frozenset(
        "o a os as e é são eu você meu minha não como onde quando que obrigado obrigada olá "
        "um uma com para por do da pedido fatura entrega conta quero posso tenho está".split()
    ),
    "pl": frozenset(
        "i jest są ja ty mój moja moje nie jak gdzie kiedy co dziękuję dzień dobry cześć "
        "z dla do na zamówienie faktura dostawa konto chcę mogę mam proszę czy".split()
    ),
}
# Letters that (among these languages) point at one language.
_TELLTALE_LETTERS: dict[str, str] = {
    "ß": "de",
    "ä": "de",
    "ö": "de",
    "ü": "de",
    "ñ": "es",
    "¿": "es",
    "¡": "es",
    "ç": "fr",
    "è": "fr",
    "ê": "fr",
    "à": "fr",
    "œ": "fr",
    "û": "fr",
    "ã": "pt",
    "õ": "pt",
    "ą": "pl",
    "ę": "pl",
    "ł": "pl",
    "ń": "pl",
    "ś": "pl",
    "ź": "pl",
    "ż": "pl",
}
_LETTER_WEIGHT = 0.75
_TIE_ORDER = (
    "en",
    "de",
    "fr",
    "es",
    "nl",
    "it",
    "pt",
    "pl",
)  # the more common shop languages first


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language; "en" when there is too little to tell."""
    script = _script_language(text)
    if script is not None:
        return script
    scores = _word_scores(text)
    for char in text.lower():
        if char in _TELLTALE_LETTERS:
            scores[_TELLTALE_LETTERS[char]] += _LETTER_WEIGHT
    best = max(_TIE_ORDER, key=lambda language: scores[language])
    return best if scores[best] > 0 else DEFAULT_LANGUAGE


def _script_language(text: str) -> str | None:
    """Arabic or Hebrew when most letters are in that script."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return None
    for language, script in (("ar", "ARABIC"), ("he", "HEBREW")):
        in_script = sum(unicodedata.name(char, "").startswith(script) for char in letters)
        if in_script * 2 > len(letters):
            return language
    return None


def _word_scores(text: str) -> dict[str, float]:
    words = _WORD.findall(text.lower())
    return {
        language: float(sum(word in vocabulary for word in words))
        for language, vocabulary in _COMMON_WORDS.items()
    }
