from datetime import datetime, timedelta, timezone

import pytest

from insights.business_time import business_seconds, opening_hours_seconds

UTC = timezone.utc


def at(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.usefixtures("business_week")
@pytest.mark.parametrize("start, end, hours", [
    (at(2026, 3, 6, 17), at(2026, 3, 9, 10), 2),  # Friday 17:00 to Monday 10:00: 1 h + 1 h
    (at(2026, 3, 7, 10), at(2026, 3, 8, 20), 0),  # the weekend
    (at(2026, 3, 9, 7), at(2026, 3, 9, 8), 0),  # before opening
    (at(2026, 3, 9, 8), at(2026, 3, 9, 20), 9),  # the whole Monday
    (at(2026, 3, 2, 12), at(2026, 3, 30, 12), 20 * 9),  # four weeks from Monday noon to Monday noon
    # Mon 2 12-18 (6), Tue-Fri (36), three whole weeks (135), Mon 30 (9), Tue 31 09-10 (1)
    (at(2026, 3, 2, 12), at(2026, 3, 31, 10), 187),
])
def test_opening_hours_skip_nights_and_weekends(start, end, hours):
    assert opening_hours_seconds(start, end) == hours * 3600


def test_long_spans_count_the_same_as_day_by_day(business_week):
    start = at(2026, 1, 1, 15, 30)
    for days in (8, 15, 40, 200):
        end = start + timedelta(days=days, hours=3)
        by_day = sum(opening_hours_seconds(start + timedelta(days=d), min(end, start + timedelta(days=d + 1)))
                     for d in range(days + 1))
        assert opening_hours_seconds(start, end) == by_day


def test_the_business_time_function_is_pluggable(settings):
    settings.INSIGHTS_BUSINESS_SECONDS = "insights.business_time.calendar_seconds"
    assert business_seconds(at(2026, 3, 6, 17), at(2026, 3, 9, 10)) == 65 * 3600
