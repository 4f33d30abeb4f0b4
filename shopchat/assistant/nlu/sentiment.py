"""Lexicon-based sentiment and an "angry customer" flag (en, de, fr, es, nl).

The flag matters more than the score: an angry customer is handed to a human.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopchat.assistant.nlu.features import normalize

_WORD = re.compile(r"[a-z']+")
_SHOUTED_WORD = re.compile(r"\b[A-ZÄÖÜÀ-ÝÑ]{3,}\b")
_NEGATIONS = frozenset(
    "not no never nicht kein keine nie pas jamais ne no nunca niet geen nooit don't isn't "
    "wasn't doesn't didn't n't".split()
)
_POSITIVE = frozenset(
    """good great excellent perfect love loved lovely amazing awesome fantastic happy glad
    thanks thank helpful nice wonderful satisfied fast quick easy best brilliant super cool
    gut toll super perfekt danke zufrieden schnell prima klasse wunderbar freundlich liebe
    bien merci parfait genial excellent content rapide heureux formidable adore
    bueno buena gracias perfecto genial excelente contento rapido encanta maravilloso
    goed geweldig bedankt perfect tevreden snel fijn mooi blij top""".split()
)
_NEGATIVE = frozenset(
    """bad terrible awful horrible poor broken damaged late missing wrong never slow
    disappointed unhappy problem issue useless annoyed angry upset frustrated waste refund
    complaint rude lost defective scam fraud joke ridiculous worst unacceptable disgusting pathetic
    schlecht kaputt spat falsch enttauscht problem arger argerlich nutzlos schrecklich
    furchtbar unverschamt beschadigt verloren betrug frech katastrophe
    mauvais cassé casse retard probleme decu nul horrible inacceptable arnaque honteux
    malo mala roto tarde problema decepcionado horrible inaceptable estafa vergonzoso fatal
    slecht kapot laat probleem teleurgesteld waardeloos belachelijk oplichting schandalig""".split()
)
# Words or phrases that on their own mark an angry customer, in the five main languages.
_ANGRY_WORDS = frozenset(
    """ridiculous worst unacceptable outrageous scam scammers fraud fraudsters disgrace disgraceful
    pathetic useless incompetent idiot idiots stupid moron morons joke bullshit crap fuck fucking
    fucked shit damn goddamn wtf furious livid disgusting thieves liars
    lacherlich unverschamt frechheit unmoglich betrug betruger idioten idiot scheisse scheiss
    mist katastrophe skandal wutend inakzeptabel
    ridicule inadmissible scandaleux arnaque escroc escrocs nul nuls honteux inacceptable merde
    putain idiots furieux
    ridiculo inaceptable estafa estafadores vergonzoso indignante mierda idiotas furioso timo
    belachelijk schandalig oplichters oplichting waardeloos kut idioten woedend schande
    onacceptabel""".split()
)
_ANGRY_PHRASES = (
    "chargeback",
    "charge back",
    "dispute the charge",
    "my lawyer",
    "a lawyer",
    "legal action",
    "sue you",
    "report you",
    "consumer protection",
    "trading standards",
    "bad review",
    "never again",
    "never order again",
    "never buy",
    "fed up",
    "sick of",
    "had enough",
    "waste of money",
    "waste of time",
    "rip off",
    "ripoff",
    "rip-off",
    "file a complaint",
    "formal complaint",
    "anwalt",
    "verbraucherzentrale",
    "nie wieder",
    "reicht mir",
    "avocat",
    "plus jamais",
    "en a marre",
    "abogado",
    "nunca mas",
    "harto",
    "harta",
    "advocaat",
    "nooit meer",
    "ben het zat",
    "consumentenbond",
    "ruckbuchung",
    "get me a manager",
    "your manager",
    "ce n'est pas normal",
    "das ist ein witz",
)
_SHOUT_MIN_WORDS = 2
_EXCLAMATIONS_ANGRY = 3


@dataclass(frozen=True, slots=True)
class Sentiment:
    score: float  # -1 (very negative) .. 1 (very positive)
    angry: bool


def sentiment(text: str) -> Sentiment:
    """Polarity of the message and whether the customer sounds angry."""
    folded = normalize(text)
    words = _WORD.findall(folded)
    angry = _is_angry(text, folded, words)
    score = _polarity(words)
    if angry:
        score = min(score, -0.6)
    return Sentiment(score=round(score, 3), angry=angry)


def _polarity(words: list[str]) -> float:
    positive = negative = 0
    for index, word in enumerate(words):
        negated = any(previous in _NEGATIONS for previous in words[max(0, index - 2) : index])
        if word in _POSITIVE:
            positive, negative = (positive, negative + 1) if negated else (positive + 1, negative)
        elif word in _ANGRY_WORDS:
            negative += 1
        elif word in _NEGATIVE:  # "not bad" leans positive
            positive, negative = (positive + 1, negative) if negated else (positive, negative + 1)
    total = positive + negative
    return 0.0 if total == 0 else (positive - negative) / (total + 1)


def _is_angry(original: str, folded: str, words: list[str]) -> bool:
    if any(word in _ANGRY_WORDS for word in words):
        return True
    if any(phrase in folded for phrase in _ANGRY_PHRASES):
        return True
    return _is_shouting(original) or original.count("!") >= _EXCLAMATIONS_ANGRY


def _is_shouting(text: str) -> bool:
    """Several words in capitals, and most of the letters too (not just an acronym or two)."""
    letters = [char for char in text if char.isalpha()]
    shouted = _SHOUTED_WORD.findall(text)
    if len(shouted) < _SHOUT_MIN_WORDS or not letters:
        return False
    return sum(char.isupper() for char in letters) / len(letters) > 0.6
