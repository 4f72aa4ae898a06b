import csv
import io

import pytest

from insights.actions.rollups import rebuild_rollups, refresh_rollups
from insights.models import CycleFact, HourlyMessages
from insights.reports import build
from insights.reports.export import escape_cell, table_csv
from insights.reports.filters import ReportForbidden, ReportInputError, parse_filters
from insights.reports.registry import Column, Table

RANGE = {"from": "2026-03-06", "to": "2026-03-09", "tz": "UTC"}
HOUR = 3600


def summary(report):
    return {figure.key: figure.value for figure in report.summary}


def report_for(user, name, **params):
    return build(name, parse_filters({**RANGE, **params}, user))


def test_overview_gives_the_exact_numbers_of_the_known_week(known_week):
    numbers = summary(report_for(known_week["supervisor"], "overview"))
    assert numbers["opened"] == 4 and numbers["resolved"] == 3
    assert numbers["messages_in"] == 6 and numbers["messages_out"] == 4
    # First responses: Bruno 5 min, Carla 20 min, Ana Fri 17:00 -> Mon 10:00 (answered on SMS, not WhatsApp).
    assert numbers["first_response_median"] == 20 * 60
    assert numbers["first_response_p90"] == 65 * HOUR
    # Business time (Mon-Fri 09-18): Ana's wait is Fri 17-18 + Mon 09-10 across the weekend.
    assert numbers["first_response_business_median"] == 20 * 60
    assert numbers["first_response_business_p90"] == 2 * HOUR
    assert numbers["next_response_median"] == numbers["next_response_p90"] == 20 * 60
    assert numbers["resolution_median"] == HOUR and numbers["resolution_p90"] == 66 * HOUR
    assert numbers["resolution_business_median"] == HOUR and numbers["resolution_business_p90"] == 3 * HOUR
    assert numbers["csat_average"] == 3 and numbers["csat_responses"] == 2
    assert numbers["csat_response_rate"] == pytest.approx(2 / 3)


def test_days_follow_the_viewers_time_zone(known_week):
    utc = report_for(known_week["supervisor"], "overview").table("per_day").rows
    assert [(r["day"], r["opened"], r["messages_in"]) for r in utc] == [
        ("2026-03-06", 1, 1), ("2026-03-07", 0, 0), ("2026-03-08", 0, 0), ("2026-03-09", 3, 5)]
    # In Tokyo (UTC+9) Friday 17:00 UTC is Saturday 02:00, and Monday after 15:00 UTC is Tuesday.
    tokyo = report_for(known_week["supervisor"], "overview", tz="Asia/Tokyo", to="2026-03-10").table("per_day").rows
    assert [(r["day"], r["opened"]) for r in tokyo] == [
        ("2026-03-06", 0), ("2026-03-07", 1), ("2026-03-08", 0), ("2026-03-09", 3), ("2026-03-10", 0)]


def test_heat_map_counts_messages_in_by_weekday_and_hour(known_week):
    rows = {r["weekday"]: r for r in report_for(known_week["supervisor"], "heatmap").table("grid").rows}
    assert rows["Friday"]["h17"] == 1
    assert (rows["Monday"]["h09"], rows["Monday"]["h10"], rows["Monday"]["h12"], rows["Monday"]["h14"]) == (1, 1, 2, 1)
    assert sum(v for r in rows.values() for k, v in r.items() if k.startswith("h")) == 6


def test_per_channel_counts_the_channel_each_cycle_opened_on(known_week):
    rows = {r["name"]: r for r in report_for(known_week["supervisor"], "channels").table("rows").rows}
    assert (rows["WhatsApp"]["opened"], rows["SMS"]["opened"]) == (2, 2)
    assert (rows["WhatsApp"]["messages_in"], rows["SMS"]["messages_in"]) == (3, 3)
    assert (rows["WhatsApp"]["messages_out"], rows["SMS"]["messages_out"]) == (1, 3)
    assert rows["SMS"]["first_response_median"] == 5 * 60


def test_per_agent_and_team(known_week):
    agents = {r["name"]: r for r in report_for(known_week["supervisor"], "agents").table("rows").rows}
    assert agents["Alice"]["resolved"] == 3 and agents["Alice"]["messages_out"] == 4
    teams = {r["name"]: r for r in report_for(known_week["supervisor"], "teams").table("rows").rows}
    assert teams["Suporte"]["opened"] == 3 and teams["Vendas"]["opened"] == 1


def test_channel_hops_and_whether_they_shortened_resolution(known_week):
    report = report_for(known_week["supervisor"], "hops")
    numbers = summary(report)
    assert numbers["customers_hopped"] == 1 and numbers["share_hopped"] == pytest.approx(1 / 4)
    assert numbers["resolution_with_hop"] == HOUR
    assert numbers["resolution_without_hop"] == 30 * 60  # Bruno 30 min, Ana 66 h: nearest-rank median
    assert numbers["hop_shortened"] is False
    assert report.table("pairs").rows == [{"from": "WhatsApp", "to": "SMS", "customers": 1}]


def test_an_agent_sees_only_their_teams(known_week):
    agent, seller = known_week["agent"], known_week["seller"]
    assert summary(report_for(agent, "overview"))["opened"] == 3
    assert summary(report_for(seller, "overview"))["opened"] == 1
    assert summary(report_for(seller, "overview"))["messages_in"] == 1
    with pytest.raises(ReportForbidden):
        parse_filters({**RANGE, "team": str(known_week["team"].pk)}, seller)
    assert summary(report_for(known_week["supervisor"], "overview", team=str(known_week["other_team"].pk)))[
        "opened"] == 1


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-13-01"}, "from"), ({"to": "yesterday"}, "to"), ({"tz": "Mars/Olympus"}, "tz"),
    ({"from": "2026-03-10", "to": "2026-03-01"}, "from"), ({"from": "2024-01-01", "to": "2026-03-01"}, "from"),
    ({"team": "x"}, "team"), ({"team": "999999"}, "team"), ({"channel": "not-a-uuid"}, "channel"),
    ({"agent": "-3"}, "agent"),
])
def test_bad_filters_are_refused(known_week, params, field):
    with pytest.raises(ReportInputError) as error:
        parse_filters({**RANGE, **params}, known_week["supervisor"])
    assert error.value.field == field


def test_refresh_is_idempotent_and_a_rebuild_gives_the_same_rollups(known_week, clock):
    facts = sorted(CycleFact.objects.values_list("cycle_id", "first_response_seconds", "resolution_seconds"))
    hours = sorted(HourlyMessages.objects.values_list("hour", "channel_key", "team_id", "agent_id", "inbound",
                                                      "outbound"))
    refresh_rollups()
    rebuild_rollups()
    assert sorted(CycleFact.objects.values_list("cycle_id", "first_response_seconds", "resolution_seconds")) == facts
    assert sorted(HourlyMessages.objects.values_list("hour", "channel_key", "team_id", "agent_id", "inbound",
                                                     "outbound")) == hours


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped():
    assert [escape_cell(v) for v in ["=SUM(A1)", "+1", "-2+3", "@cmd", "\tx", "\rx", "ok", 3, -0.5, None]] == [
        "'=SUM(A1)", "'+1", "'-2+3", "'@cmd", "'\tx", "'\rx", "ok", 3, -0.5, ""]
    table = Table("t", "T", [Column("name", "=Name", "text"), Column("wait", "Wait", "duration")],
                  [{"name": "=HYPERLINK(\"http://x\")", "wait": 60.0}, {"name": "Ana", "wait": None}])
    rows = list(csv.reader(io.StringIO(table_csv(table))))
    assert rows == [["'=Name", "Wait (s)"], ["'=HYPERLINK(\"http://x\")", "60.0"], ["Ana", ""]]


def test_funnel_counts_visitors_with_touchpoints_those_reachable_and_those_who_ordered(known_week, clock):
    from conversations.models import Customer, Identity, Touchpoint
    from customers.models import Order
    from datetime import datetime, timezone as dt_timezone

    whatsapp = known_week["whatsapp"]
    visitors = [Customer.objects.create(name=f"Visitor {n}") for n in range(3)]
    at = datetime(2026, 3, 8, 12, tzinfo=dt_timezone.utc)
    for customer in visitors:
        Touchpoint.objects.create(customer=customer, channel=whatsapp, url="https://shop.example/", viewed_at=at)
    Identity.objects.create(customer=visitors[0], kind="email", address="v0@example.com")
    Identity.objects.create(customer=visitors[1], kind="webchat", address="anon-1")
    Touchpoint.objects.create(customer=visitors[0], channel=whatsapp, url="https://shop.example/", viewed_at=at.replace(year=2025))
    # Visitor 0 paid (on a customer later merged into them), visitor 1 cancelled, visitor 2 paid after the period.
    merged = Customer.objects.create(name="Visitor 0, other record", merged_into=visitors[0])
    Order.objects.create(customer=merged, store="api", external_id="o1", status=Order.Status.PAID, placed_at=at)
    Order.objects.create(customer=visitors[1], store="api", external_id="o2", status=Order.Status.CANCELLED,
                         placed_at=at)
    Order.objects.create(customer=visitors[2], store="api", external_id="o3", status=Order.Status.PAID,
                         placed_at=at.replace(month=4))
    report = report_for(known_week["supervisor"], "funnel")
    numbers = summary(report)
    assert (numbers["visitors"], numbers["leads"], numbers["customers"]) == (3, 1, 1)
    assert numbers["order_rate"] == 1 / 3
    assert report.table("rows").rows == [{"channel": "WhatsApp", "visitors": 3, "leads": 1, "lead_rate": 1 / 3,
                                          "customers": 1, "order_rate": 1 / 3}]


def test_per_label_counts_each_labelled_conversation_and_follows_label_changes(known_week, clock):
    from conversations.actions.assignment import update_conversation

    ana, bruno, carla, _dario = known_week["conversations"]
    clock.set(2026, 3, 9, 16, 30)
    update_conversation(ana, known_week["agent"], labels=["entrega", "vip"])
    update_conversation(bruno, known_week["agent"], labels=["entrega"])
    refresh_rollups()
    rows = {r["name"]: r for r in report_for(known_week["supervisor"], "labels").table("rows").rows}
    assert (rows["entrega"]["opened"], rows["entrega"]["resolved"], rows["vip"]["resolved"]) == (2, 2, 1)
    assert rows["entrega"]["csat_average"] == 3 and rows["vip"]["resolution_median"] == 66 * HOUR
    assert rows["None"]["opened"] == 2  # Carla and Dario


def test_postgresql_writes_the_same_hourly_rows_in_one_statement(known_week):
    from datetime import datetime, timezone as dt_timezone

    from insights.actions import rollups
    from ..services import require_postgres

    require_postgres()
    start = datetime(2026, 3, 1, tzinfo=dt_timezone.utc)
    until = datetime(2026, 3, 10, tzinfo=dt_timezone.utc)
    in_python = sorted((r.hour, r.channel_key, r.team_id, r.agent_id, r.inbound, r.outbound)
                       for r in rollups._hour_rows(start, until))
    rollups.refresh_hours(start, until)
    in_sql = sorted(HourlyMessages.objects.values_list("hour", "channel_key", "team_id", "agent_id", "inbound",
                                                       "outbound"))
    assert in_sql == in_python and len(in_sql) > 10


def _clock(conversation, metric, state, minutes_in, breached=False):
    from datetime import timedelta

    from routing.models import SlaClock, SlaClockEvent

    cycle = conversation.cycles.get()
    clock = SlaClock.objects.create(
        conversation=conversation, cycle=cycle, metric=metric, state=state, target_seconds=1800,
        started_at=cycle.opened_at, due_at=cycle.opened_at + timedelta(minutes=30),
        breached_at=cycle.opened_at + timedelta(minutes=30) if breached else None)
    SlaClockEvent.objects.create(clock=clock, kind="breach" if breached else "met",
                                 at=cycle.opened_at + timedelta(minutes=minutes_in))
    return clock


def test_sla_hit_rates_come_from_routing_clocks_seen_by_the_next_refresh(known_week, clock):
    from routing.models import SlaClock

    ana, bruno, carla, dario = known_week["conversations"]
    met, running = SlaClock.State.MET, SlaClock.State.RUNNING
    _clock(ana, "first_response", met, 65 * 60, breached=True)  # answered Monday: met, but late
    _clock(bruno, "first_response", met, 5)
    _clock(bruno, "resolution", met, 30)
    _clock(carla, "first_response", met, 20)
    _clock(dario, "first_response", running, 30, breached=True)
    _clock(carla, "resolution", running, 0)  # not decided: left out
    clock.set(2026, 3, 9, 16, 30)
    refresh_rollups()

    report = report_for(known_week["supervisor"], "overview")
    numbers = summary(report)
    assert numbers["sla_hit_rate"] == 3 / 5 and numbers["sla_breached"] == 2
    assert numbers["sla_first_response_hit_rate"] == 2 / 4 and numbers["sla_resolution_hit_rate"] == 1
    assert [(r["day"], r["sla_hit_rate"]) for r in report.table("per_day").rows] == [
        ("2026-03-06", 0), ("2026-03-07", None), ("2026-03-08", None), ("2026-03-09", 3 / 4)]
    teams = {r["name"]: r for r in report_for(known_week["supervisor"], "teams").table("rows").rows}
    assert (teams["Suporte"]["sla_hit_rate"], teams["Vendas"]["sla_hit_rate"]) == (3 / 4, 0)


def test_calls_are_counted_as_calls_and_our_own_call_is_not_the_customer_writing(known_week, clock):
    from channels_adapters.types import InboundMessage, Sender
    from conversations.actions.calls import log_call
    from conversations.actions.ingest import ingest_message

    ana, bruno, carla, dario = known_week["conversations"]
    clock.set(2026, 3, 9, 16, 10)
    log_call(bruno, known_week["agent"], "outbound", 120, "answered", "Confirmed the new address")
    # The telephony system reports our call to Dario: it comes in through ingest, but Dario did not write.
    ingest_message(known_week["sms"], InboundMessage(
        external_id="call:1", sender=Sender(kind="phone", address="+5511900000004"), text="",
        metadata={"call": {"direction": "outbound", "state": "ended"}}, reopens=False))
    clock.set(2026, 3, 9, 16, 30)
    refresh_rollups()

    numbers = summary(report_for(known_week["supervisor"], "overview"))
    assert numbers["calls"] == 2
    assert (numbers["messages_in"], numbers["messages_out"]) == (6, 4)
    assert report_for(known_week["supervisor"], "overview").table("per_day").rows[-1]["calls"] == 2
    agents = {r["name"]: r for r in report_for(known_week["supervisor"], "agents").table("rows").rows}
    assert agents["Alice"]["calls"] == 1
    assert not CycleFact.objects.get(cycle__conversation=dario).hopped


def test_business_time_counts_the_teams_routing_calendar_and_its_special_hours(known_week):
    from datetime import date

    from routing.models import AssignmentPolicy, BusinessCalendar, CalendarException

    weekdays = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    calendar = BusinessCalendar.objects.create(name="Suporte", time_zone="UTC", weekly_hours=weekdays)
    # Monday 2026-03-09 opens late: Ana's wait is Fri 17-18 only, Bruno's (09:00-09:05) none.
    CalendarException.objects.create(calendar=calendar, date=date(2026, 3, 9), intervals=[["10:00", "18:00"]])
    AssignmentPolicy.objects.create(team=known_week["team"], calendar=calendar)
    rebuild_rollups()

    ana, bruno, carla, dario = known_week["conversations"]
    facts = {f.conversation_id: f for f in CycleFact.objects.all()}
    assert facts[ana.pk].first_response_business_seconds == HOUR
    assert facts[bruno.pk].first_response_business_seconds == 0
    assert facts[carla.pk].first_response_business_seconds == 20 * 60


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/Sao_Paulo"])
def test_breakdowns_read_whole_days_and_the_hours_at_the_ends_and_count_the_same(known_week, tz):
    from django.db.models import Sum

    from insights.models import DailyMessages, Level
    from insights.reports.queries import messages_per

    assert DailyMessages.objects.filter(level=Level.AGENT).exists()
    filters = parse_filters({"from": "2026-03-06", "to": "2026-03-10", "tz": tz}, known_week["supervisor"])
    for field, level in (("channel_key", Level.CHANNEL), ("agent_id", Level.AGENT)):
        hourly = {row[field]: (row["i"], row["o"]) for row in HourlyMessages.objects.filter(
            level=level, hour__gte=filters.start, hour__lt=filters.end).values(field)
            .annotate(i=Sum("inbound"), o=Sum("outbound"))}
        found = {key: (row["inbound"], row["outbound"]) for key, row in messages_per(filters, field).items()}
        assert found == hourly and sum(i for i, _o in found.values()) == 6
