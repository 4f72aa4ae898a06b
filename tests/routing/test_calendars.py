"""Business time is exact: split shifts, intervals across midnight, holidays, overrides and DST days."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing.calendars import (
    CalendarError, add_business_time, build_schedule, business_seconds_between, clean_weekly_hours, is_open,
    next_opening, parse_intervals,
)

WEEKDAYS_9_17 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
LISBON = ZoneInfo("Europe/Lisbon")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


def test_friday_afternoon_plus_one_business_hour_is_monday_morning():
    schedule = build_schedule("America/New_York", WEEKDAYS_9_17)
    zone = ZoneInfo("America/New_York")
    due = add_business_time(schedule, local(zone, 2026, 3, 6, 16, 30), 3600)  # a Friday
    assert due == local(zone, 2026, 3, 9, 9, 30)


def test_a_start_before_opening_counts_from_the_opening():
    schedule = build_schedule("Europe/Lisbon", WEEKDAYS_9_17)
    assert add_business_time(schedule, local(LISBON, 2026, 3, 2, 7, 0), 1800) == local(LISBON, 2026, 3, 2, 9, 30)


def test_split_shifts_skip_the_lunch_break():
    schedule = build_schedule("Europe/Lisbon", {"mon": [["09:00", "12:00"], ["13:00", "17:00"]]})
    assert add_business_time(schedule, local(LISBON, 2026, 3, 2, 11, 30), 3600) == local(LISBON, 2026, 3, 2, 13, 30)
    assert business_seconds_between(schedule, local(LISBON, 2026, 3, 2, 8), local(LISBON, 2026, 3, 2, 18)) == 7 * 3600


def test_an_interval_across_midnight_belongs_to_the_day_it_starts():
    schedule = build_schedule("Europe/Lisbon", {"fri": [["22:00", "02:00"]]})
    start = local(LISBON, 2026, 3, 6, 23, 0)
    assert add_business_time(schedule, start, 2 * 3600) == local(LISBON, 2026, 3, 7, 1, 0)
    # Three hours left that night (23:00-02:00), the fourth the next Friday from 22:00.
    assert add_business_time(schedule, start, 4 * 3600) == local(LISBON, 2026, 3, 13, 23, 0)
    assert is_open(schedule, local(LISBON, 2026, 3, 7, 1, 59))
    assert not is_open(schedule, local(LISBON, 2026, 3, 7, 2, 0))


def test_a_holiday_is_closed_and_an_override_replaces_the_day():
    schedule = build_schedule("Europe/Lisbon", WEEKDAYS_9_17, {
        date(2026, 12, 25): [],  # Christmas, a Friday
        date(2026, 12, 24): [["09:00", "13:00"]],
    })
    start = local(LISBON, 2026, 12, 24, 12, 0)
    # One hour left on the 24th (closing at 13:00), nothing on the 25th, the weekend closed: Monday 28th.
    assert add_business_time(schedule, start, 2 * 3600) == local(LISBON, 2026, 12, 28, 10, 0)
    assert next_opening(schedule, local(LISBON, 2026, 12, 25, 10)) == local(LISBON, 2026, 12, 28, 9, 0)


def test_lisbon_spring_forward_night_shift_is_one_hour_shorter():
    # 29 March 2026: at 01:00 the clocks jump to 02:00 in Lisbon.
    schedule = build_schedule("Europe/Lisbon", {"sat": [["22:00", "06:00"]]})
    start = local(LISBON, 2026, 3, 28, 22, 0)
    assert business_seconds_between(schedule, start, start + timedelta(days=1)) == 7 * 3600
    # Five business hours from 22:00 end at 04:00 wall-clock (22..01 is 3 h, 02..04 is 2 h).
    assert add_business_time(schedule, start, 5 * 3600) == local(LISBON, 2026, 3, 29, 4, 0)


def test_lisbon_autumn_night_shift_is_one_hour_longer():
    # 25 October 2026: at 02:00 the clocks go back to 01:00.
    schedule = build_schedule("Europe/Lisbon", {"sat": [["22:00", "06:00"]]})
    start = local(LISBON, 2026, 10, 24, 22, 0)
    assert business_seconds_between(schedule, start, start + timedelta(days=1)) == 9 * 3600
    due = add_business_time(schedule, start, 9 * 3600)
    assert due == local(LISBON, 2026, 10, 25, 6, 0)


def test_lisbon_day_hours_on_a_dst_day_are_exact_in_utc():
    schedule = build_schedule("Europe/Lisbon", {"mon": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]]})
    # Friday 27 March (WET, UTC+0) 16:00 + 2 h -> Monday 30 March (WEST, UTC+1) 10:00 = 09:00 UTC.
    due = add_business_time(schedule, local(LISBON, 2026, 3, 27, 16, 0), 2 * 3600)
    assert due == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_sao_paulo_spring_forward_midnight_does_not_exist():
    # 4 November 2018: Sao Paulo skipped from 00:00 to 01:00 (its last DST year).
    schedule = build_schedule("America/Sao_Paulo", {"sat": [["20:00", "04:00"]]})
    start = local(SAO_PAULO, 2018, 11, 3, 20, 0)
    assert business_seconds_between(schedule, start, start + timedelta(days=1)) == 7 * 3600
    assert add_business_time(schedule, start, 6 * 3600) == local(SAO_PAULO, 2018, 11, 4, 3, 0)


def test_sao_paulo_without_dst_today_is_a_plain_utc_minus_3():
    schedule = build_schedule("America/Sao_Paulo", WEEKDAYS_9_17)
    due = add_business_time(schedule, local(SAO_PAULO, 2026, 11, 6, 16, 30), 3600)  # a Friday
    assert due == datetime(2026, 11, 9, 12, 30, tzinfo=UTC)


def test_a_calendar_that_never_opens_gives_no_due_time():
    schedule = build_schedule("Europe/Lisbon", {}, {})
    assert add_business_time(schedule, local(LISBON, 2026, 1, 1), 60) is None


@pytest.mark.parametrize("bad", [
    {"monday": [["09:00", "17:00"]]},
    {"mon": [["9am", "17:00"]]},
    {"mon": [["09:00", "09:00"]]},
    {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]},
    {"mon": [["24:00", "02:00"]]},
    {"mon": "09:00-17:00"},
])
def test_bad_weekly_hours_are_refused(bad):
    with pytest.raises(CalendarError):
        clean_weekly_hours(bad)


def test_intervals_are_checked_with_their_day():
    assert parse_intervals([["22:00", "02:00"]], "fri") == ((1320, 120),)
    with pytest.raises(CalendarError, match="fri"):
        parse_intervals([["22:00", "25:00"]], "fri")
