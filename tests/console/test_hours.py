"""What the customer is told on hand-off, inside and outside business hours, in their language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shopchat.console.hours import describe, handoff_notice, is_open, next_opening
from shopchat.console.notices import LOCALES, locale_for

HOURS = {"timezone": "Europe/Berlin", "days": [0, 1, 2, 3, 4], "open": "09:00", "close": "18:00"}
TUESDAY_NOON_BERLIN = datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
FRIDAY_EVENING_BERLIN = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)  # 20:00 in Berlin


def test_open_hours() -> None:
    assert is_open(HOURS, TUESDAY_NOON_BERLIN)
    assert not is_open(HOURS, FRIDAY_EVENING_BERLIN)
    assert is_open(None, FRIDAY_EVENING_BERLIN)  # no hours: always staffed
    assert is_open({"timezone": "Not/AZone"}, FRIDAY_EVENING_BERLIN)  # bad settings: no promise


def test_next_opening_skips_the_weekend() -> None:
    opening = next_opening(HOURS, FRIDAY_EVENING_BERLIN)
    assert opening is not None and opening.weekday() == 0 and opening.hour == 9


# language: (inside hours, busy queue, offline, hours as written, next opening as written)
EXPECTED = {
    "en": (
        "Someone will be with you in a few minutes",
        "in about 15 minutes",
        "Our team is offline right now",
        "Mon–Fri 9:00 AM–6:00 PM (Europe/Berlin)",
        "a person will reply on Monday from 9:00 AM.",
    ),
    "de": (
        "Wir melden uns in wenigen Minuten bei dir",
        "in etwa 15 Minuten",
        "Unser Team ist gerade nicht erreichbar",
        "Mo–Fr 09:00–18:00 Uhr (Europe/Berlin)",
        "eine Person antwortet dir am Montag ab 09:00 Uhr.",
    ),
    "fr": (
        "Quelqu'un vous répondra dans quelques minutes",
        "dans environ 15 minutes",
        "Notre équipe n'est pas disponible pour le moment",
        "lun.–ven. 09:00–18:00 (Europe/Berlin)",
        "une personne vous répondra lundi à partir de 09:00.",
    ),
    "es": (
        "Alguien te atenderá en unos minutos",
        "en unos 15 minutos",
        "Nuestro equipo no está disponible ahora mismo",
        "lun–vie 9:00–18:00 (Europe/Berlin)",
        "una persona te responderá el lunes a partir de las 9:00.",
    ),
    "nl": (
        "Iemand helpt je over een paar minuten verder",
        "over ongeveer 15 minuten",
        "Ons team is op dit moment niet bereikbaar",
        "ma–vr 09:00–18:00 (Europe/Berlin)",
        "dan antwoordt iemand je op maandag vanaf 09:00.",
    ),
    "it": (
        "Qualcuno Le risponderà tra pochi minuti",
        "tra circa 15 minuti",
        "Il nostro team al momento non è disponibile",
        "lun–ven 09:00–18:00 (Europe/Berlin)",
        "una persona Le risponderà lunedì dalle 09:00.",
    ),
    "pt": (
        "Alguém responderá em poucos minutos",
        "em cerca de 15 minutos",
        "O nosso atendimento não está disponível neste momento",
        "seg.–sex. 09:00–18:00 (Europe/Berlin)",
        "uma pessoa responderá na segunda-feira a partir das 09:00.",
    ),
    "pl": (
        "Ktoś z nas odpowie w ciągu kilku minut",
        "w ciągu około 15 minut",
        "Nasz zespół jest w tej chwili niedostępny",
        "pon.–pt. 09:00–18:00 (Europe/Berlin)",
        "a ktoś z nas odpowie w poniedziałek od 09:00.",
    ),
}


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_notice_in_the_conversations_language(language: str) -> None:
    inside, busy, offline, hours, opening = EXPECTED[language]
    assert inside in handoff_notice(
        HOURS, ahead_in_queue=0, language=language, now=TUESDAY_NOON_BERLIN
    )
    assert busy in handoff_notice(
        HOURS, ahead_in_queue=5, language=language, now=TUESDAY_NOON_BERLIN
    )
    outside = handoff_notice(HOURS, ahead_in_queue=0, language=language, now=FRIDAY_EVENING_BERLIN)
    assert offline in outside
    assert hours in outside
    assert outside.endswith(opening)


SUNDAY_NOON_UTC = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

# the next opening as written, Monday first: the words before the day depend on the day
ON_DAY = {
    "pl": (
        "w poniedziałek",
        "we wtorek",
        "w środę",
        "w czwartek",
        "w piątek",
        "w sobotę",
        "w niedzielę",
    ),
    "pt": (
        "na segunda-feira",
        "na terça-feira",
        "na quarta-feira",
        "na quinta-feira",
        "na sexta-feira",
        "no sábado",
        "no domingo",
    ),
    "it": ("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
}
AFTER_DAY = {"pl": " od 10:30.", "pt": " a partir das 10:30.", "it": " dalle 10:30."}


@pytest.mark.parametrize("language", sorted(ON_DAY))
@pytest.mark.parametrize("weekday", range(7))
def test_the_next_opening_day_in_its_form(language: str, weekday: int) -> None:
    one_day = {"timezone": "UTC", "days": [weekday], "open": "10:30", "close": "11:00"}
    notice = handoff_notice(one_day, ahead_in_queue=0, language=language, now=SUNDAY_NOON_UTC)
    assert notice.endswith(f" {ON_DAY[language][weekday]}{AFTER_DAY[language]}")


def test_polish_minutes_stay_genitive() -> None:
    # 24 after "za" would be "minuty"; after "w ciągu około" every number takes "minut"
    notice = handoff_notice(HOURS, ahead_in_queue=8, language="pl", now=TUESDAY_NOON_BERLIN)
    assert "Ktoś z nas odpowie w ciągu około 24 minut – " in notice


def test_every_locale_is_tested() -> None:
    assert set(LOCALES) == set(EXPECTED)


def test_unknown_or_regional_languages() -> None:
    assert locale_for("de-AT") is LOCALES["de"]
    assert locale_for("pt-BR") is LOCALES["pt"]
    assert locale_for("sv") is LOCALES["en"]
    assert locale_for(None) is LOCALES["en"]


def test_times_and_day_runs_per_locale() -> None:
    split = {"timezone": "UTC", "days": [0, 2, 4, 5], "open": "00:30", "close": "12:45"}
    assert describe(split, "en") == "Mon, Wed, Fri, Sat 12:30 AM–12:45 PM (UTC)"
    assert describe(split, "es") == "lun, mié, vie, sáb 0:30–12:45 (UTC)"
    assert describe(split, "de") == "Mo, Mi, Fr, Sa 00:30–12:45 Uhr (UTC)"
    weekend = {"timezone": "UTC", "days": [5, 6], "open": "10:00", "close": "14:00"}
    assert describe(weekend, "nl") == "za, zo 10:00–14:00 (UTC)"
