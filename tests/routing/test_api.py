"""The routing API: calendars, SLA policies, assignment policies, agent status, and sla/queue on conversations."""
from datetime import timedelta

import pytest

from conversations.actions import presence
from conversations.models import AgentProfile
from routing.models import AssignmentPolicy, BusinessCalendar, CapacityRule, SlaPolicy

pytestmark = pytest.mark.django_db

HOURS = {"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["22:00", "02:00"]]}


@pytest.fixture
def ana(make_agent, team):
    return make_agent("ana", teams=[team])


@pytest.fixture
def boss(make_agent, team):
    return make_agent("boss", role=AgentProfile.Role.SUPERVISOR, teams=[team])


def test_admins_create_calendars_everyone_reads_them(client_for, admin_user, ana):
    answer = client_for(admin_user).post("/api/v1/business-calendars/", {
        "name": "Lisbon", "time_zone": "Europe/Lisbon", "weekly_hours": HOURS,
        "exceptions": [{"date": "2026-12-25", "name": "Christmas", "intervals": []},
                       {"date": "2026-12-24", "intervals": [["09:00", "13:00"]]}]}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["weekly_hours"] == HOURS
    assert body["exceptions"] == [{"date": "2026-12-24", "name": "", "intervals": [["09:00", "13:00"]]},
                                  {"date": "2026-12-25", "name": "Christmas", "intervals": []}]
    assert client_for(ana).get("/api/v1/business-calendars/").json()["results"][0]["name"] == "Lisbon"
    assert client_for(ana).post("/api/v1/business-calendars/", {"name": "x"}, format="json").status_code == 403


@pytest.mark.parametrize("change, field", [
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"weekly_hours": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "weekly_hours"),
    ({"weekly_hours": {"funday": [["09:00", "17:00"]]}}, "weekly_hours"),
    ({"weekly_hours": {}}, "weekly_hours"),
    ({"exceptions": [{"date": "2026-02-30", "intervals": []}]}, "exceptions"),
    ({"exceptions": [{"date": "2026-12-25", "intervals": [["10:00", "31:00"]]}]}, "exceptions"),
])
def test_bad_calendars_are_refused_and_nothing_is_stored(client_for, admin_user, change, field):
    payload = {"name": "Lisbon", "time_zone": "Europe/Lisbon", "weekly_hours": HOURS, **change}
    answer = client_for(admin_user).post("/api/v1/business-calendars/", payload, format="json")
    assert answer.status_code == 400 and field in answer.json()
    assert not BusinessCalendar.objects.exists()


def test_a_calendar_in_use_cannot_be_deleted(client_for, admin_user):
    calendar = BusinessCalendar.objects.create(name="Lisbon", time_zone="Europe/Lisbon", weekly_hours=HOURS)
    SlaPolicy.objects.create(name="Std", calendar=calendar)
    answer = client_for(admin_user).delete(f"/api/v1/business-calendars/{calendar.pk}/")
    assert answer.status_code == 400 and BusinessCalendar.objects.exists()


def test_sla_policies_are_for_admins(client_for, admin_user, boss, team):
    payload = {"name": "Standard", "conditions": {"teams": [team.pk], "channel_kinds": ["webchat"]},
               "pause_statuses": ["pending"], "warn_before_minutes": 10,
               "targets": [{"metric": "first_response", "priority": "none", "minutes": 30},
                           {"metric": "resolution", "priority": "urgent", "minutes": 240}]}
    assert client_for(boss).post("/api/v1/sla-policies/", payload, format="json").status_code == 403
    assert client_for(boss).get("/api/v1/sla-policies/").status_code == 403
    answer = client_for(admin_user).post("/api/v1/sla-policies/", payload, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["targets"] == [{"metric": "first_response", "priority": "none", "minutes": 30},
                                        {"metric": "resolution", "priority": "urgent", "minutes": 240}]
    policy = SlaPolicy.objects.get()
    answer = client_for(admin_user).patch(f"/api/v1/sla-policies/{policy.pk}/", {"position": 3}, format="json")
    assert answer.status_code == 200 and answer.json()["position"] == 3 and len(answer.json()["targets"]) == 2


@pytest.mark.parametrize("change, field", [
    ({"targets": []}, "targets"),
    ({"targets": [{"metric": "speed", "priority": "none", "minutes": 5}]}, "targets"),
    ({"targets": [{"metric": "first_response", "priority": "none", "minutes": 0}]}, "targets"),
    ({"targets": [{"metric": "first_response", "priority": "none", "minutes": 5}] * 2}, "targets"),
    ({"conditions": {"channel_kinds": ["pigeon"]}}, "conditions"),
    ({"conditions": {"teams": [999]}}, "conditions"),
    ({"pause_statuses": ["open"]}, "pause_statuses"),
])
def test_bad_sla_policies_are_refused(client_for, admin_user, change, field):
    payload = {"name": "Standard", "targets": [{"metric": "first_response", "priority": "none", "minutes": 30}],
               **change}
    answer = client_for(admin_user).post("/api/v1/sla-policies/", payload, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert not SlaPolicy.objects.exists()


def test_assignment_policies_per_team(client_for, admin_user, ana, team, other_team):
    listed = client_for(admin_user).get("/api/v1/assignment-policies/").json()
    assert [(p["team"], p["mode"]) for p in listed] == [(team.pk, "off"), (other_team.pk, "off")]
    assert [p["team"] for p in client_for(ana).get("/api/v1/assignment-policies/").json()] == [team.pk]
    url = f"/api/v1/assignment-policies/{team.pk}/"
    assert client_for(ana).patch(url, {"mode": "round_robin"}, format="json").status_code == 403
    answer = client_for(admin_user).patch(url, {"mode": "least_loaded", "capacity": {"webchat": 5, "email": 20},
                                                "offline_grace_seconds": 60}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["mode"] == "least_loaded" and answer.json()["capacity"] == {"webchat": 5, "email": 20}
    assert AssignmentPolicy.objects.get(team=team).offline_grace_seconds == 60
    assert CapacityRule.objects.filter(team=team).count() == 2


@pytest.mark.parametrize("change", [{"mode": "lottery"}, {"capacity": {"pigeon": 3}}, {"capacity": {"webchat": -1}},
                                    {"offline_grace_seconds": -5}])
def test_bad_assignment_policies_are_refused(client_for, admin_user, team, change):
    answer = client_for(admin_user).patch(f"/api/v1/assignment-policies/{team.pk}/", change, format="json")
    assert answer.status_code == 400
    assert not AssignmentPolicy.objects.exclude(mode="off").exists() and not CapacityRule.objects.exists()


def test_agent_status_load_and_capacity(client_for, admin_user, ana, boss, make_agent, team):
    other = make_agent("other", teams=[team])
    url = f"/api/v1/agents/{ana.pk}/status/"
    assert client_for(other).get(url).status_code == 403
    assert client_for(ana).get(url).json()["status"] == "offline"
    answer = client_for(ana).patch(url, {"status": "away"}, format="json")
    assert answer.status_code == 400 and "status" in answer.json()  # no console open
    presence.heartbeat(presence.describe(ana), presence.ONLINE)
    answer = client_for(boss).patch(url, {"status": "away"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "away"
    assert "email" in answer.json()["takes"] and "webchat" not in answer.json()["takes"]
    assert client_for(ana).patch(url, {"capacity": {"email": 3}}, format="json").status_code == 403
    answer = client_for(admin_user).patch(url, {"capacity": {"email": 3}}, format="json")
    assert answer.json()["capacity"] == {"email": 3}
    assert client_for(ana).patch(url, {"status": "offline"}, format="json").status_code == 400


def test_conversations_carry_sla_and_queue(clock, client_for, ana, chat, write, make_policy, auto_assign, other_team,
                                           make_agent):
    auto_assign()
    make_policy(first_response=30)
    conversation = write(chat)
    clock.shift(timedelta(minutes=5))
    body = client_for(ana).get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert body["sla"]["metric"] == "first_response" and body["sla"]["state"] == "running"
    assert body["sla"]["due_at"] == "2026-03-02T10:30:00+00:00" and body["sla"]["remaining_seconds"] == 25 * 60
    assert body["sla"]["policy"]["name"] == "Standard"
    assert body["queue"] == {"team": conversation.team_id, "reason": "new", "enqueued_at": "2026-03-02T10:00:00+00:00",
                             "waiting_seconds": 300, "sla_due_at": "2026-03-02T10:30:00+00:00"}
    listed = client_for(ana).get("/api/v1/conversations/").json()["results"]
    assert listed[0]["sla"]["due_at"] == body["sla"]["due_at"] and listed[0]["queue"]["reason"] == "new"
    outsider = make_agent("outsider", teams=[other_team])
    assert client_for(outsider).get(f"/api/v1/conversations/{conversation.pk}/").status_code == 404


def test_the_conversation_list_reads_sla_and_queue_in_constant_queries(clock, client_for, ana, chat, write,
                                                                      make_policy, auto_assign,
                                                                      django_assert_max_num_queries):
    auto_assign()
    make_policy(first_response=30)
    for n in range(3):
        write(chat, address=f"+35191200000{n}")
    client = client_for(ana)
    with django_assert_max_num_queries(12) as few:
        client.get("/api/v1/conversations/")
    for n in range(3, 8):
        write(chat, address=f"+35191200000{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/conversations/").json()["results"]) == 8
