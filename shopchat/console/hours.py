"""Business hours of a site, and what the customer is told when handed to a person.

``site.settings["business_hours"] = {"timezone": "Europe/Berlin", "days": [0, 1, 2, 3, 4],
"open": "09:00", "close": "18:00"}`` (Monday is 0); absent means always staffed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shopchat.console.notices import clock, day_span, locale_for, on_day
from shopchat.models.base import utcnow


def _parse(hours: Any) -> tuple[ZoneInfo, set[int], time, time] | None:
    if not isinstance(hours, dict):
        return None
    try:
        zone = ZoneInfo(str(hours.get("timezone") or "UTC"))
        days = {int(d) for d in hours.get("days", range(7)) if 0 <= int(d) <= 6}
        opens = time.fromisoformat(str(hours.get("open", "00:00")))
        closes = time.fromisoformat(str(hours.get("close", "23:59")))
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None
    return (zone, days, opens, closes) if days else None


def is_open(hours: Any, now: datetime | None = None) -> bool:
    parsed = _parse(hours)
    if parsed is None:
        return True
    zone, days, opens, closes = parsed
    local = (now or utcnow()).astimezone(zone)
    return local.weekday() in days and opens <= local.time() < closes


def next_opening(hours: Any, now: datetime | None = None) -> datetime | None:
    """The next time the team starts work, in the site's time zone (None: always open)."""
    parsed = _parse(hours)
    if parsed is None:
        return None
    zone, days, opens, _closes = parsed
    local = (now or utcnow()).astimezone(zone)
    for ahead in range(8):
        day = (local + timedelta(days=ahead)).date()
        start = datetime.combine(day, opens, tzinfo=zone)
        if day.weekday() in days and start > local:
            return start
    return None


def describe(hours: Any, language: str | None = None) -> str | None:
    """The opening hours in the language's words: "Mo–Fr 09:00–18:00 Uhr (Europe/Berlin)"."""
    parsed = _parse(hours)
    if parsed is None:
        return None
    zone, days, opens, closes = parsed
    locale = locale_for(language)
    span = f"{clock(opens, locale)}–{clock(closes, locale)}{locale.hour_suffix}"
    return f"{day_span(days, locale)} {span} ({zone.key})"


def handoff_notice(
    hours: Any, *, ahead_in_queue: int, language: str | None = None, now: datetime | None = None
) -> str:
    """The system message that tells the customer a person is coming, and roughly when."""
    now = now or utcnow()
    locale = locale_for(language)
    if is_open(hours, now):
        minutes = ahead_in_queue * 3
        wait = locale.soon if ahead_in_queue < 3 else locale.about.format(minutes=minutes)
        return locale.coming.format(wait=wait)
    opening = next_opening(hours, now)
    when = (
        locale.when.format(
            day=on_day(opening.weekday(), locale),
            time=clock(opening.time(), locale) + locale.hour_suffix,
        )
        if opening
        else ""
    )
    return locale.offline.format(hours=describe(hours, language), when=when)
