"""Repeating campaigns: runs at wall-clock time in the shop's zone, each run its own recipients and report, the
schedule changed from the API and the console, pause/resume, and no run started twice."""
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from conversations.actions.errors import ActionError
from marketing import recurrence
from marketing.actions import attribution, campaigns
from marketing.actions.segments import create as create_segment
from marketing.models import Campaign, Recipient

from .conftest import customer_with_phone

# Thursday 2026-11-19, 12:00 in São Paulo (UTC-3).
NOW = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def weekly(sms, **extra):
    segment = create_segment("Phones", "dynamic", {"identity": "phone"})
    fields = {"repeat": "weekly", "repeat_weekdays": [0, 3], "repeat_time": time(10, 0),
              "time_zone": "America/Sao_Paulo", **extra}
    return campaigns.create("Weekly offers", segment, sms, text="Ofertas da semana", **fields)


def test_the_next_run_is_local_wall_clock_time_across_daylight_saving():
    # New York leaves daylight saving on Sunday 2026-11-01: 10:00 is 14:00 UTC before, 15:00 UTC after.
    after = datetime(2026, 10, 30, 15, 0, tzinfo=UTC)
    first = recurrence.next_run("weekly", [0, 4], time(10, 0), "America/New_York", after)
    assert first == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    assert recurrence.next_run("daily", [], time(10, 0), "America/New_York", datetime(
        2026, 10, 31, 13, 0, tzinfo=UTC)) == datetime(2026, 10, 31, 14, 0, tzinfo=UTC)
    assert recurrence.next_run("daily", [], time(10, 0), "America/New_York", after,
                               until=date(2026, 10, 30)) is None


def test_a_weekly_campaign_starts_one_run_per_occurrence_and_reports_each(sms, clock):
    customer_with_phone("+5511999990001")
    customer_with_phone("+5511999990002", granted=())
    series = weekly(sms)
    assert series.status == "scheduled"
    # Thursday 10:00 local has passed: the first run is Monday 2026-11-23, 10:00 in São Paulo = 13:00 UTC.
    assert series.scheduled_at == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    assert campaigns.start_due() == []
    clock.move_to(datetime(2026, 11, 23, 13, 0, 30, tzinfo=UTC))
    started = campaigns.start_due()
    assert len(started) == 1
    run = Campaign.objects.get(pk=started[0])
    assert (run.series_id, run.run_for, run.name) == (series.pk, datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
                                                      "Weekly offers · 2026-11-23")
    assert sorted(run.recipients.values_list("status", flat=True)) == ["queued", "skipped"]
    # Nothing starts twice at the same occurrence, and the series moved on to Thursday.
    assert campaigns.start_due() == []
    series.refresh_from_db()
    assert series.scheduled_at == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    assert campaigns.send_due(run.pk) == 1
    clock.move_to(datetime(2026, 11, 26, 13, 1, tzinfo=UTC))
    second = Campaign.objects.get(pk=campaigns.start_due()[0])
    assert second.name == "Weekly offers · 2026-11-26"
    # The frequency cap counts across runs: two marketing messages in 7 days are allowed.
    assert campaigns.send_due(second.pk) == 1
    # Both messages are still with the provider (queued): the series counts its runs' recipients.
    report = attribution.report(series)
    assert (report["total"]["recipients"], report["total"]["skipped"], report["total"]["queued"]) == (4, 2, 2)
    runs = attribution.run_reports(series)
    assert [run.pk for run, _report in runs] == [second.pk, run.pk]
    assert all(run_report["total"]["recipients"] == 2 for _run, run_report in runs)


def test_a_missed_occurrence_is_not_caught_up(sms, clock):
    customer_with_phone("+5511999990001")
    series = weekly(sms)
    # The workers were down from Monday to Wednesday: one run, on Wednesday, and the next is Thursday.
    clock.move_to(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    assert len(campaigns.start_due()) == 1
    series.refresh_from_db()
    assert series.scheduled_at == datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    assert series.runs.count() == 1


def test_pause_resume_and_end_a_repeating_campaign(sms, clock):
    series = weekly(sms)
    campaigns.pause(series.pk)
    clock.move_to(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert campaigns.start_due() == []
    resumed = campaigns.resume(series.pk)
    assert (resumed.status, resumed.scheduled_at) == ("scheduled", datetime(2026, 11, 26, 13, 0, tzinfo=UTC))
    with pytest.raises(ActionError):
        campaigns.schedule(series.pk, NOW + timedelta(days=30))
    campaigns.cancel(series.pk)
    clock.move_to(datetime(2026, 11, 27, 12, 0, tzinfo=UTC))
    assert campaigns.start_due() == [] and series.runs.count() == 0


def test_a_series_ends_after_its_last_day(sms, clock):
    customer_with_phone("+5511999990001")
    series = weekly(sms, repeat_weekdays=[0], repeat_until=date(2026, 11, 23))
    clock.move_to(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    campaigns.start_due()
    series.refresh_from_db()
    assert (series.status, series.scheduled_at) == ("completed", None)


@pytest.mark.parametrize(("fields", "field"), [
    ({"repeat": "hourly"}, "repeat"),
    ({"repeat_time": None}, "repeat_time"),
    ({"repeat_weekdays": []}, "repeat_weekdays"),
    ({"repeat_weekdays": [7]}, "repeat_weekdays"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"repeat_until": date(2026, 1, 1)}, "repeat_until"),
])
def test_bad_schedules_are_refused_and_nothing_is_stored(sms, clock, fields, field):
    with pytest.raises(ActionError) as refused:
        weekly(sms, **fields)
    assert refused.value.field == field
    assert not Campaign.objects.exists()


def test_the_schedule_is_changed_from_the_api_and_shown_in_the_console(admin_api, admin_user, client, sms, clock):
    customer_with_phone("+5511999990001")
    segment = create_segment("Phones", "dynamic", {"identity": "phone"})
    created = admin_api.post("/api/v1/campaigns/", {
        "name": "Daily deal", "segment": segment.pk, "channel": str(sms.pk), "text": "Oferta do dia",
        "repeat": "daily", "repeat_time": "09:30"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["time_zone"]) == ("scheduled", "America/Sao_Paulo")
    assert body["scheduled_at"].startswith("2026-11-20T12:30:00")
    pk = body["id"]
    changed = admin_api.patch(f"/api/v1/campaigns/{pk}/", {"repeat": "weekly", "repeat_weekdays": [4],
                                                          "repeat_time": "18:00"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["scheduled_at"].startswith("2026-11-20T21:00:00")
    refused = admin_api.patch(f"/api/v1/campaigns/{pk}/", {"repeat": ""}, format="json")
    assert refused.status_code == 400 and "repeat" in refused.json()
    assert admin_api.patch(f"/api/v1/campaigns/{pk}/", {"channel": str(sms.pk)}, format="json").status_code == 400
    client.force_login(admin_user)
    page = client.get(f"/marketing/campaigns/{pk}/").content.decode()
    assert 'id="campaign-schedule"' in page and "18:00 (America/Sao_Paulo)" in page
    assert "No run has started yet." in page
    clock.move_to(datetime(2026, 11, 20, 21, 0, tzinfo=UTC))
    run_pk = campaigns.start_due()[0]
    campaigns.send_due(run_pk)
    detail = admin_api.get(f"/api/v1/campaigns/{pk}/").json()
    assert [run["id"] for run in detail["runs"]] == [run_pk]
    assert detail["runs"][0]["report"]["total"]["recipients"] == 1 == detail["report"]["total"]["recipients"]
    listing = client.get("/marketing/campaigns/").content.decode()
    assert "Daily deal" in listing and "Daily deal · 2026-11-20" not in listing
    page = client.get(f"/marketing/campaigns/{pk}/").content.decode()
    assert f'href="/marketing/campaigns/{run_pk}/"' in page
    # A run that has started sending is not edited.
    assert admin_api.patch(f"/api/v1/campaigns/{run_pk}/", {"text": "x"}, format="json").status_code == 400
    assert Recipient.objects.filter(campaign_id=run_pk, status="sent").count() == 1
