"""What the customer is told on hand-off, inside and outside business hours."""

from __future__ import annotations

from datetime import UTC, datetime

from shopchat.console.hours import handoff_notice, is_open, next_opening

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


def test_notice_inside_and_outside_hours() -> None:
    inside = handoff_notice(HOURS, ahead_in_queue=0, now=TUESDAY_NOON_BERLIN)
    assert "in a few minutes" in inside
    busy = handoff_notice(HOURS, ahead_in_queue=5, now=TUESDAY_NOON_BERLIN)
    assert "in about 15 minutes" in busy
    outside = handoff_notice(HOURS, ahead_in_queue=0, now=FRIDAY_EVENING_BERLIN)
    assert "offline right now" in outside
    assert "Mon, Tue, Wed, Thu, Fri 09:00–18:00 (Europe/Berlin)" in outside
    assert "on Mon from 09:00" in outside
