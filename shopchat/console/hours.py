"""Business hours of a site, and what the customer is told when handed to a person.

``site.settings["business_hours"] = {"timezone": "Europe/Berlin", "days": [0, 1, 2, 3, 4],
"open": "09:00", "close": "18:00"}`` (Monday is 0); absent means always staffed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shopchat.models.base import utcnow

_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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


def describe(hours: Any) -> str | None:
    parsed = _parse(hours)
    if parsed is None:
        return None
    zone, days, opens, closes = parsed
    names = ", ".join(_DAY_NAMES[d] for d in sorted(days))
    return f"{names} {opens:%H:%M}–{closes:%H:%M} ({zone.key})"


def handoff_notice(hours: Any, *, ahead_in_queue: int, now: datetime | None = None) -> str:
    """The system message that tells the customer a person is coming, and roughly when."""
    now = now or utcnow()
    if is_open(hours, now):
        wait = (
            "in a few minutes" if ahead_in_queue < 3 else f"in about {ahead_in_queue * 3} minutes"
        )
        return (
            "I've asked a member of our team to join this chat. "
            f"Someone will be with you {wait} — you can keep writing here meanwhile."
        )
    opening = next_opening(hours, now)
    when = f" on {_DAY_NAMES[opening.weekday()]} from {opening:%H:%M}" if opening else ""
    return (
        f"Our team is offline right now (hours: {describe(hours)}). "
        f"Leave your question here and a person will reply{when}."
    )
