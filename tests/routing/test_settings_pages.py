"""Console settings of routing: business calendars, SLA policies and team assignment, as a person uses them."""
import pytest
from bs4 import BeautifulSoup
from django.test import Client

from conversations.models import AgentProfile, Team
from routing.models import AssignmentPolicy, BusinessCalendar, CalendarException, CapacityRule, SlaPolicy

pytestmark = pytest.mark.django_db

WEEKDAYS_9_17 = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
PAGES = ["/settings/calendars/", "/settings/calendars/new/", "/settings/sla-policies/", "/settings/sla-policies/new/",
         "/settings/assignment/"]


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


@pytest.fixture
def boss(make_agent):
    return make_agent("boss", role=AgentProfile.Role.SUPERVISOR)


@pytest.fixture
def signed_in():
    def make(user, language="en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        return client

    return make


@pytest.fixture
def lisbon(db):
    calendar = BusinessCalendar.objects.create(name="Lisbon office", time_zone="Europe/Lisbon",
                                               weekly_hours=WEEKDAYS_9_17)
    CalendarException.objects.create(calendar=calendar, date="2026-12-25", name="Christmas")
    return calendar


def soup_of(answer):
    assert answer.status_code == 200, answer.status_code
    return BeautifulSoup(answer.content, "html.parser")


def errors_of(answer):
    return [item.get_text(" ", strip=True) for item in soup_of(answer).select(".errorlist li")]


CALENDAR_FORM = {"name": "Lisbon office", "time_zone": "Europe/Lisbon", "mon": "09:00-12:00, 13:00-17:00",
                 "tue": "9:00-17:00", "fri": "22:00-02:00",
                 "exceptions": "2026-12-25 Christmas\n2026-12-24 09:00-13:00 Christmas Eve\n"}


@pytest.mark.parametrize("url", [*PAGES, "/settings/calendars/{calendar}/", "/settings/assignment/{team}/"])
def test_agents_get_403_on_every_routing_setting(signed_in, ana, lisbon, team, url):
    url = url.format(calendar=lisbon.pk, team=team.pk)
    assert signed_in(ana).get(url).status_code == 403
    assert signed_in(ana).post(url, CALENDAR_FORM).status_code == 403
    assert BusinessCalendar.objects.count() == 1


def test_the_settings_navigation_links_routing_for_supervisors_only(signed_in, ana, boss):
    links = {a["href"] for a in soup_of(signed_in(boss).get("/settings/")).select("nav.tabs a")}
    assert {"/settings/calendars/", "/settings/sla-policies/", "/settings/assignment/"} <= links
    links = {a["href"] for a in soup_of(signed_in(ana).get("/settings/")).select("nav.tabs a")}
    assert not links & {"/settings/calendars/", "/settings/sla-policies/", "/settings/assignment/"}


def test_supervisors_read_the_settings_but_only_admins_change_them(signed_in, boss, lisbon, team):
    soup = soup_of(signed_in(boss).get(f"/settings/calendars/{lisbon.pk}/"))
    assert soup.select_one("input[name=name]").has_attr("disabled")
    assert not soup.select(".routing-settings button")
    assert signed_in(boss).get("/settings/calendars/new/").status_code == 403
    assert signed_in(boss).post(f"/settings/calendars/{lisbon.pk}/delete/", {"confirm": "yes"}).status_code == 403
    assert signed_in(boss).post(f"/settings/assignment/{team.pk}/", {"mode": "round_robin"}).status_code == 403
    assert BusinessCalendar.objects.filter(pk=lisbon.pk).exists()


def test_empty_states(signed_in, admin_user):
    client = signed_in(admin_user)
    assert "No calendar yet" in soup_of(client.get("/settings/calendars/")).select_one("#calendars").get_text()
    assert "No SLA policy yet" in soup_of(client.get("/settings/sla-policies/")).select_one("#sla-policies").get_text()
    assert "No team yet" in soup_of(client.get("/settings/assignment/")).select_one("#assignment-teams").get_text()


def test_an_admin_creates_a_calendar_with_hours_across_midnight_and_holidays(signed_in, admin_user):
    answer = signed_in(admin_user).post("/settings/calendars/new/", CALENDAR_FORM, follow=True)
    calendar = BusinessCalendar.objects.get()
    assert answer.redirect_chain[-1][0] == f"/settings/calendars/{calendar.pk}/"
    assert calendar.time_zone == "Europe/Lisbon"
    assert calendar.weekly_hours == {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "tue": [["09:00", "17:00"]],
                                     "fri": [["22:00", "02:00"]]}
    assert [(item.date.isoformat(), item.name, item.intervals) for item in calendar.exceptions.all()] == [
        ("2026-12-24", "Christmas Eve", [["09:00", "13:00"]]), ("2026-12-25", "Christmas", [])]
    # The edit page shows what was saved, as it was typed.
    soup = soup_of(answer)
    assert soup.select_one("input[name=mon]")["value"] == "09:00-12:00, 13:00-17:00"
    assert soup.select_one("textarea[name=exceptions]").text.strip() == (
        "2026-12-24 09:00-13:00 Christmas Eve\n2026-12-25 Christmas")


@pytest.mark.parametrize("change, message", [
    ({"time_zone": "Mars/Olympus"}, "'Mars/Olympus' is not an IANA time zone such as America/Sao_Paulo"),
    ({"mon": "nine to five"}, "Write the hours as 09:00-12:00, 13:00-17:00."),
    ({"mon": "09:00-25:00"}, "'25:00' is not a time of day"),
    ({"mon": "09:00-12:00, 11:00-13:00"}, "mon: intervals overlap"),
    ({"mon": "", "tue": "", "fri": ""}, "A calendar is open at least one interval a week."),
    ({"exceptions": "Christmas 2026-12-25"}, "Line 1: start with a date such as 2026-12-25."),
    ({"exceptions": "2026-12-24 9-13 Eve"}, "Line 1: write the hours as 09:00-13:00."),
    ({"exceptions": "2026-12-25\n2026-12-25 Again"}, "2026-12-25 is listed twice."),
    ({"name": ""}, "This field is required."),
])
def test_a_bad_calendar_is_refused_with_a_clear_error_and_nothing_saved(signed_in, admin_user, change, message):
    answer = signed_in(admin_user).post("/settings/calendars/new/", {**CALENDAR_FORM, **change})
    assert any(message in error for error in errors_of(answer)), errors_of(answer)
    assert not BusinessCalendar.objects.exists()


def test_calendar_errors_are_translated(signed_in, admin_user, lisbon):
    answer = signed_in(admin_user, "pt-br").post("/settings/calendars/new/", {**CALENDAR_FORM, "mon": "nine",
                                                                              "name": lisbon.name})
    errors = errors_of(answer)
    assert "Escreva o horário como 09:00-12:00, 13:00-17:00." in errors
    answer = signed_in(admin_user, "es").post("/settings/calendars/new/", {**CALENDAR_FORM, "name": lisbon.name})
    assert errors_of(answer) == ["Ya existe un calendario con este nombre."]


def test_editing_a_calendar_replaces_its_hours_and_holidays(signed_in, admin_user, lisbon):
    answer = signed_in(admin_user).post(f"/settings/calendars/{lisbon.pk}/", {
        "name": "Lisbon", "time_zone": "Europe/Lisbon", "sat": "10:00-14:00", "exceptions": ""})
    assert answer.status_code == 302
    lisbon.refresh_from_db()
    assert lisbon.name == "Lisbon" and lisbon.weekly_hours == {"sat": [["10:00", "14:00"]]}
    assert not lisbon.exceptions.exists()


def test_deleting_a_calendar_asks_for_confirmation_and_refuses_one_in_use(signed_in, admin_user, lisbon):
    client = signed_in(admin_user)
    answer = client.post(f"/settings/calendars/{lisbon.pk}/delete/", follow=True)
    assert "Tick the box to confirm the deletion." in answer.content.decode()
    policy = SlaPolicy.objects.create(name="Office", calendar=lisbon)
    soup = soup_of(client.get(f"/settings/calendars/{lisbon.pk}/"))
    assert soup.select_one(f".delete-form a[href='/settings/sla-policies/{policy.pk}/']")
    answer = client.post(f"/settings/calendars/{lisbon.pk}/delete/", {"confirm": "yes"}, follow=True)
    assert "SLA policies use this calendar; change them first." in answer.content.decode()
    policy.delete()
    answer = client.post(f"/settings/calendars/{lisbon.pk}/delete/", {"confirm": "yes"}, follow=True)
    assert answer.redirect_chain[-1][0] == "/settings/calendars/"
    assert not BusinessCalendar.objects.exists()


def test_lists_are_paginated(signed_in, admin_user):
    BusinessCalendar.objects.bulk_create(BusinessCalendar(name=f"Office {n:02}", time_zone="UTC",
                                                          weekly_hours=WEEKDAYS_9_17) for n in range(30))
    client = signed_in(admin_user)
    first = soup_of(client.get("/settings/calendars/"))
    assert len(first.select("#calendars tbody tr")) == 25
    assert "Page 1 of 2" in first.select_one(".pager").get_text()
    assert len(soup_of(client.get("/settings/calendars/?page=2")).select("#calendars tbody tr")) == 5


POLICY_FORM = {"name": "VIP chat", "active": "on", "position": "0", "calendar": "", "warn_before_minutes": "10",
               "pause_statuses": ["pending"], "channel_kinds": ["webchat"], "priorities": ["high", "urgent"],
               "labels": "VIP, gold ", "target_first_response_urgent": "15", "target_first_response_high": "30",
               "target_resolution_urgent": "240"}


def test_an_admin_creates_an_sla_policy_with_conditions_and_targets(signed_in, admin_user, lisbon, team):
    answer = signed_in(admin_user).post("/settings/sla-policies/new/", {
        **POLICY_FORM, "calendar": str(lisbon.pk), "teams": [str(team.pk)]}, follow=True)
    policy = SlaPolicy.objects.get()
    assert answer.redirect_chain[-1][0] == f"/settings/sla-policies/{policy.pk}/"
    assert policy.calendar == lisbon and policy.warn_before_minutes == 10 and policy.pause_statuses == ["pending"]
    assert policy.conditions == {"teams": [team.pk], "channel_kinds": ["webchat"], "priorities": ["high", "urgent"],
                                 "labels": ["gold", "vip"]}
    assert sorted((t.metric, t.priority, t.minutes) for t in policy.targets.all()) == [
        ("first_response", "high", 30), ("first_response", "urgent", 15), ("resolution", "urgent", 240)]
    soup = soup_of(answer)
    assert soup.select_one("input[name=target_first_response_urgent]")["value"] == "15"
    row = soup_of(signed_in(admin_user).get("/settings/sla-policies/")).select_one(f"tr[data-policy='{policy.pk}']")
    text = row.get_text(" ", strip=True)
    assert f"Teams: {team.name}" in text and "Priorities: High, Urgent" in text and "Lisbon office" in text


@pytest.mark.parametrize("change, message", [
    ({"target_first_response_urgent": "", "target_first_response_high": "", "target_resolution_urgent": ""},
     "A policy has at least one target."),
    ({"target_first_response_urgent": "0"}, "Ensure this value is greater than or equal to 1."),
    ({"channel_kinds": ["pigeon"]}, "Select a valid choice. pigeon is not one of the available choices."),
    ({"pause_statuses": ["open"]}, "Select a valid choice. open is not one of the available choices."),
])
def test_a_bad_sla_policy_is_refused_and_nothing_saved(signed_in, admin_user, change, message):
    answer = signed_in(admin_user).post("/settings/sla-policies/new/", {**POLICY_FORM, **change})
    assert message in errors_of(answer)
    assert not SlaPolicy.objects.exists()


def test_an_sla_policy_name_is_unique_in_any_language(signed_in, admin_user):
    SlaPolicy.objects.create(name="VIP chat")
    answer = signed_in(admin_user, "pt-br").post("/settings/sla-policies/new/", POLICY_FORM)
    assert errors_of(answer) == ["Já existe uma política com este nome."]


def test_editing_and_deleting_an_sla_policy(signed_in, admin_user):
    client = signed_in(admin_user)
    client.post("/settings/sla-policies/new/", POLICY_FORM)
    policy = SlaPolicy.objects.get()
    answer = client.post(f"/settings/sla-policies/{policy.pk}/", {**POLICY_FORM, "active": "", "labels": "",
                                                                 "target_first_response_high": ""})
    assert answer.status_code == 302
    policy.refresh_from_db()
    assert not policy.active and "labels" not in policy.conditions
    assert policy.targets.count() == 2
    client.post(f"/settings/sla-policies/{policy.pk}/delete/")
    assert SlaPolicy.objects.exists()
    answer = client.post(f"/settings/sla-policies/{policy.pk}/delete/", {"confirm": "yes"}, follow=True)
    assert answer.redirect_chain[-1][0] == "/settings/sla-policies/"
    assert not SlaPolicy.objects.exists()


def test_an_admin_sets_a_teams_assignment_and_capacity(signed_in, admin_user, team, lisbon):
    client = signed_in(admin_user)
    row = soup_of(client.get("/settings/assignment/")).select_one(f"tr[data-team='{team.pk}']")
    assert "Off" in row.get_text()
    answer = client.post(f"/settings/assignment/{team.pk}/", {
        "mode": "least_loaded", "offline_grace_seconds": "60", "no_reply_requeue_minutes": "30",
        "calendar": str(lisbon.pk), "live_idle_minutes": "15", "capacity_api": "5", "capacity_email": "20"},
        follow=True)
    policy = AssignmentPolicy.objects.get(team=team)
    assert (policy.mode, policy.offline_grace_seconds, policy.no_reply_requeue_minutes, policy.calendar,
            policy.live_idle_minutes) == ("least_loaded", 60, 30, lisbon, 15)
    assert dict(CapacityRule.objects.filter(team=team).values_list("channel_kind", "max_active")) == {
        "api": 5, "email": 20}
    soup = soup_of(answer)
    assert soup.select_one("input[name=capacity_api]")["value"] == "5"
    row = soup_of(client.get("/settings/assignment/")).select_one(f"tr[data-team='{team.pk}']")
    assert "Least loaded" in row.get_text() and "email 20" in row.get_text()


@pytest.mark.parametrize("change, message", [
    ({"mode": "lottery"}, "Select a valid choice. lottery is not one of the available choices."),
    ({"capacity_api": "-1"}, "Ensure this value is greater than or equal to 0."),
    ({"live_idle_minutes": "0"}, "Ensure this value is greater than or equal to 1."),
])
def test_a_bad_assignment_is_refused_and_nothing_saved(signed_in, admin_user, team, change, message):
    answer = signed_in(admin_user).post(f"/settings/assignment/{team.pk}/", {
        "mode": "round_robin", "offline_grace_seconds": "60", "live_idle_minutes": "10", **change})
    assert message in errors_of(answer)
    assert not AssignmentPolicy.objects.exists() and not CapacityRule.objects.exists()


def test_the_assignment_list_is_paginated(signed_in, admin_user):
    Team.objects.bulk_create(Team(name=f"Team {n:02}") for n in range(30))
    soup = soup_of(signed_in(admin_user).get("/settings/assignment/"))
    assert len(soup.select("#assignment-teams tbody tr")) == 25 and soup.select_one(".pager")


def test_a_calendar_a_team_or_a_web_chat_counts_in_is_not_deleted(signed_in, client_for, admin_user, lisbon, team):
    from channels_adapters.setup import create_channel

    policy = AssignmentPolicy.objects.create(team=team, calendar=lisbon, no_reply_requeue_minutes=30)
    client = signed_in(admin_user)
    soup = soup_of(client.get(f"/settings/calendars/{lisbon.pk}/"))
    assert soup.select_one(f".delete-form a[href='/settings/assignment/{team.pk}/']")
    answer = client.post(f"/settings/calendars/{lisbon.pk}/delete/", {"confirm": "yes"}, follow=True)
    assert f"The assignment of {team.name} counts in this calendar; change it first." in answer.content.decode()
    policy.delete()
    create_channel("webchat", "Shop chat", {"allowed_origins": ["https://shop.example"],
                                            "business_calendar": lisbon.pk}, team=team)
    answer = client_for(admin_user).delete(f"/api/v1/business-calendars/{lisbon.pk}/")
    assert answer.status_code == 400
    assert answer.json() == {"calendar": [
        "The web chat Shop chat follows this calendar for its away mode; change it first."]}
    assert "Shop chat" in soup_of(client.get(f"/settings/calendars/{lisbon.pk}/")).select_one(".delete-form").text
    assert BusinessCalendar.objects.filter(pk=lisbon.pk).exists()


def test_an_admin_gives_one_agent_their_own_capacity(signed_in, admin_user, boss, ana, team):
    CapacityRule.objects.create(team=team, channel_kind="api", max_active=5)
    client = signed_in(admin_user)
    row = soup_of(client.get(f"/settings/assignment/{team.pk}/")).select_one(f"#agent-capacity tr[data-agent='{ana.pk}']")
    assert "The team's" in row.get_text()
    url = f"/settings/assignment/{team.pk}/agents/{ana.pk}/"
    assert row.select_one(f"a[href='{url}']")
    assert errors_of(client.post(url, {"capacity_api": "1001"})) == [
        "Ensure this value is less than or equal to 1000."]
    answer = client.post(url, {"capacity_api": "2", "capacity_email": ""}, follow=True)
    assert answer.redirect_chain[-1][0] == f"/settings/assignment/{team.pk}/"
    assert list(CapacityRule.objects.filter(agent=ana).values_list("channel_kind", "max_active")) == [("api", 2)]
    row = soup_of(answer).select_one(f"#agent-capacity tr[data-agent='{ana.pk}']")
    assert "api 2" in row.get_text()
    # A supervisor reads it; an agent of another team is no address here.
    assert signed_in(boss).post(url, {"capacity_api": "9"}).status_code == 403
    assert signed_in(boss).get(url).status_code == 200
    assert client.get(f"/settings/assignment/{team.pk}/agents/{boss.pk}/").status_code == 404
    assert signed_in(ana).get(url).status_code == 403


def test_a_new_calendar_starts_as_weekdays_nine_to_five_in_the_admins_time_zone(signed_in, admin_user):
    admin_user.agent.time_zone = "America/Sao_Paulo"
    admin_user.agent.save()
    soup = soup_of(signed_in(admin_user).get("/settings/calendars/new/"))
    assert soup.select_one("input[name=time_zone]")["value"] == "America/Sao_Paulo"
    assert soup.select_one("input[name=fri]")["value"] == "09:00-17:00"
    assert not soup.select_one("input[name=sat]").get("value")
    assert soup.select_one("datalist#time-zones option[value='Europe/Lisbon']")
