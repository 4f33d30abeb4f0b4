"""The hand-off notice in the customer's language, with days and times written the local way.

Languages: en, de, fr, es, nl, it, pt, pl. Times follow each locale's CLDR short pattern
(en ``h:mm a``, es ``H:mm``, de/fr/nl/it/pt/pl ``HH:mm``). Address forms follow the
assistant's templates (du, vous, tú, je); Italian uses Lei; Portuguese and Polish use no
pronoun ("pode", "można", "proszę"), and the Portuguese wording suits pt-BR and pt-PT.
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
    # "on <day>" where the words before the day, or its case, depend on the day
    # ("we wtorek", "no sábado"); {day} in ``when`` is this, else the bare long name
    days_on: tuple[str, ...] = ()


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
        "Wir melden uns {wait} bei dir – schreib hier gern weiter.",
        offline="Unser Team ist gerade nicht erreichbar (Servicezeiten: {hours}). "
        "Hinterlass deine Frage hier, eine Person antwortet dir{when}.",
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
    "it": Locale(
        days_short=("lun", "mar", "mer", "gio", "ven", "sab", "dom"),
        days_long=("lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"),
        clock="HH",
        hour_suffix="",
        soon="tra pochi minuti",
        about="tra circa {minutes} minuti",
        coming="Ho chiesto a un membro del nostro team di unirsi a questa chat. "
        "Qualcuno Le risponderà {wait}; nel frattempo può continuare a scrivere qui.",
        offline="Il nostro team al momento non è disponibile (orario: {hours}). "
        "Lasci qui la Sua domanda e una persona Le risponderà{when}.",
        when=" {day} dalle {time}",
    ),
    "pt": Locale(
        days_short=("seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom."),
        days_long=(
            "segunda-feira",
            "terça-feira",
            "quarta-feira",
            "quinta-feira",
            "sexta-feira",
            "sábado",
            "domingo",
        ),
        clock="HH",
        hour_suffix="",
        soon="em poucos minutos",
        about="em cerca de {minutes} minutos",
        coming="Pedi a uma pessoa do nosso atendimento que entre nesta conversa. "
        "Alguém responderá {wait}; até lá, pode enviar mais mensagens aqui.",
        offline="O nosso atendimento não está disponível neste momento (horário: {hours}). "
        "Deixe a sua pergunta aqui e uma pessoa responderá{when}.",
        when=" {day} a partir das {time}",
        days_on=(
            "na segunda-feira",
            "na terça-feira",
            "na quarta-feira",
            "na quinta-feira",
            "na sexta-feira",
            "no sábado",
            "no domingo",
        ),
    ),
    "pl": Locale(
        days_short=("pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz."),
        days_long=("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"),
        clock="HH",
        hour_suffix="",
        soon="w ciągu kilku minut",
        # "w ciągu" and "około" take the genitive: "minut" for any number (24 minut, not minuty)
        about="w ciągu około {minutes} minut",
        coming="Przekazuję tę rozmowę naszemu zespołowi. "
        "Ktoś z nas odpowie {wait} – do tego czasu można tu dalej pisać.",
        offline="Nasz zespół jest w tej chwili niedostępny (godziny pracy: {hours}). "
        "Proszę zostawić tu swoje pytanie, a ktoś z nas odpowie{when}.",
        when=" {day} od {time}",
        # the accusative after "w", which becomes "we" before "wt-"
        days_on=(
            "w poniedziałek",
            "we wtorek",
            "w środę",
            "w czwartek",
            "w piątek",
            "w sobotę",
            "w niedzielę",
        ),
    ),
}


def locale_for(language: str | None) -> Locale:
    """The locale of a language code such as ``de`` or ``de-AT``; English when unknown."""
    return LOCALES.get((language or "en")[:2].lower(), LOCALES["en"])


def on_day(weekday: int, locale: Locale) -> str:
    """The day as ``when`` puts it (Monday is 0): "lundi", "w środę", "no sábado"."""
    return (locale.days_on or locale.days_long)[weekday]


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
