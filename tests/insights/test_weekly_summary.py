from django.core import mail
from django.test import Client
from django.utils import translation

from conversations.actions.directory import update_preferences
from insights.actions.summaries import NotASupervisor, send_weekly_summaries, set_weekly_summary

import pytest


def _subscribe(user, email, language="", time_zone="UTC"):
    user.email = email
    user.save(update_fields=["email"])
    update_preferences(user, language, time_zone)
    set_weekly_summary(user, True)


def test_subscribed_supervisors_get_last_weeks_summary_once_in_their_language(known_week, clock):
    supervisor = known_week["supervisor"]
    _subscribe(supervisor, "sofia@example.com", language="pt-br")
    clock.set(2026, 3, 16, 6, 59)  # Monday before 07:00: the week 9-15 is not over for the email yet
    assert send_weekly_summaries() == 1  # ... so it is the week of 2-8 March (Ana's Friday only)
    message = mail.outbox[-1]
    assert message.to == ["sofia@example.com"]
    assert message.subject == "Resumo semanal do OmniDesk: 02/03 – 08/03"
    assert "Conversas abertas: 1" in message.body
    clock.set(2026, 3, 16, 7, 0)
    assert send_weekly_summaries() == 1
    body = mail.outbox[-1].body
    assert "Conversas abertas: 3" in body and "Primeira resposta, mediana: 20 min" in body
    html = mail.outbox[-1].alternatives[0][0]
    assert "<strong>3</strong>" in html
    clock.set(2026, 3, 16, 9, 0)
    assert send_weekly_summaries() == 0  # already sent this week
    assert translation.get_language() == "en-us" or translation.get_language() is not None


def test_opted_out_and_agents_get_nothing(known_week, clock):
    supervisor = known_week["supervisor"]
    _subscribe(supervisor, "sofia@example.com")
    set_weekly_summary(supervisor, False)
    with pytest.raises(NotASupervisor):
        set_weekly_summary(known_week["agent"], True)
    clock.set(2026, 3, 16, 8, 0)
    assert send_weekly_summaries() == 0 and not mail.outbox


def test_the_reports_page_toggles_the_subscription(known_week):
    client = Client()
    client.force_login(known_week["supervisor"])
    assert client.post("/reports/weekly-summary/", {"enabled": "1"}).status_code == 302
    assert known_week["supervisor"].report_subscription.weekly_summary
    page = client.get("/reports/").content.decode()
    assert 'data-subscribed="true"' in page
    agent = Client()
    agent.force_login(known_week["agent"])
    assert agent.post("/reports/weekly-summary/", {"enabled": "1"}).status_code == 403
