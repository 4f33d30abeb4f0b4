"""The hand-off notice in the customer's language, with days and times written the local way.

Times follow each locale's CLDR short pattern (en ``h:mm a``, es ``H:mm``, de/fr/nl
``HH:mm``); address forms follow the assistant's templates (Sie, vous, tú, je).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time


@dataclass(frozen=True, slots=True)
class Locale:
    days_short: tuple[str, ...]
    days_long: tuple[str, ...]
    clock: str  # "12h", "H" (no leading zero) or "HH"
    hour_suffix: str  # after a lone time in a sentence ("Uhr")
    soon: str
    about: str  # {minutes}
    coming: str  # {wait}
    offline: str  # {hours} {when}
    when: str  # {day} {time}


LOCALES: dict[str, Locale] = {
    "en": Locale(
        days_short=("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
        days_long=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        clock="12h",
        hour_suffix="",
        soon="in a few minutes",
        about="in about {minutes} minutes",
        coming="I've asked a member of our team to join this chat. "
        "Someone will be with you {wait} — you can keep writing here meanwhile.",
        offline="Our team is offline right now (hours: {hours}). "
        "Leave your question here and a person will reply{when}.",
        when=" on {day} from {time}",
    ),
    "de": Locale(
        days_short=("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
        days_long=("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
        clock="HH",
        hour_suffix=" Uhr",
        soon="in wenigen Minuten",
        about="in etwa {minutes} Minuten",
        coming="Ich habe jemanden aus unserem Team gebeten, in diesen Chat zu kommen. "
        "Wir melden uns {wait} bei Ihnen – schreiben Sie hier gern weiter.",
        offline="Unser Team ist gerade nicht erreichbar (Servicezeiten: {hours}). "
        "Hinterlassen Sie Ihre Frage hier, eine Person antwortet Ihnen{when}.",
        when=" am {day} ab {time}",
    ),
    "fr": Locale(
        days_short=("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
        days_long=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        clock="HH",
        hour_suffix="",
        soon="dans quelques minutes",
        about="dans environ {minutes} minutes",
        coming="J'ai demandé à un membre de notre équipe de rejoindre cette conversation. "
        "Quelqu'un vous répondra {wait} — vous pouvez continuer à écrire ici en attendant.",
        offline="Notre équipe n'est pas disponible pour le moment (horaires : {hours}). "
        "Laissez votre question ici, une personne vous répondra{when}.",
        when=" {day} à partir de {time}",
    ),
    "es": Locale(
        days_short=("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
        days_long=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        clock="H",
        hour_suffix="",
        soon="en unos minutos",
        about="en unos {minutes} minutos",
        coming="He pedido a una persona de nuestro equipo que se una a este chat. "
        "Alguien te atenderá {wait}; mientras tanto, puedes seguir escribiendo aquí.",
        offline="Nuestro equipo no está disponible ahora mismo (horario: {hours}). "
        "Deja tu pregunta aquí y una persona te responderá{when}.",
        when=" el {day} a partir de las {time}",
    ),
    "nl": Locale(
        days_short=("ma", "di", "wo", "do", "vr", "za", "zo"),
        days_long=("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
        clock="HH",
        hour_suffix="",
        soon="over een paar minuten",
        about="over ongeveer {minutes} minuten",
        coming="Ik heb iemand van ons team gevraagd om bij deze chat te komen. "
        "Iemand helpt je {wait} verder — je kunt hier intussen gewoon verder schrijven.",
        offline="Ons team is op dit moment niet bereikbaar (openingstijden: {hours}). "
        "Laat je vraag hier achter, dan antwoordt iemand je{when}.",
        when=" op {day} vanaf {time}",
    ),
}


def locale_for(language: str | None) -> Locale:
    """The locale of a language code such as ``de`` or ``de-AT``; English when unknown."""
    return LOCALES.get((language or "en")[:2].lower(), LOCALES["en"])


def clock(moment: time, locale: Locale) -> str:
    if locale.clock == "12h":
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    if locale.clock == "H":
        return f"{moment.hour}:{moment.minute:02d}"
    return f"{moment:%H:%M}"


def day_span(days: set[int], locale: Locale) -> str:
    """Runs of consecutive days as ranges: Mon–Fri, Sat; never "Mon–Tue"."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    names = locale.days_short
    return ", ".join(
        f"{names[r[0]]}–{names[r[-1]]}" if len(r) > 2 else ", ".join(names[d] for d in r)
        for r in runs
    )
