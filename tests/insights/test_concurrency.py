"""Rollup writers at once on PostgreSQL: workers scoring, the periodic refresh and a rebuild never collide."""
import threading

import pytest
from django.db import connection
from django.db.models import Sum

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from insights.actions.rollups import rebuild_rollups, rebuild_sentiment_hours, refresh_rollups
from insights.actions.sentiment import score_messages
from insights.models import ANY, ANY_CHANNEL, CycleFact, HourlyMessages, HourlySentiment, MessageSentiment, RollupCursor

from ..services import require_postgres
from .conftest import build_known_week

SCORERS = 12


def run_at_once(jobs):
    """Run the callables in threads released together; the exceptions they raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=10)
            job()
        except Exception as exc:  # collected and asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return errors


@pytest.mark.django_db(transaction=True)
def test_workers_scoring_one_hour_at_once_count_every_message_once(make_api_channel, team, settings):
    require_postgres()
    settings.INSIGHTS_SENTIMENT_ON_ARRIVAL = False
    channel = make_api_channel("WhatsApp", team=team)
    ids = [ingest_message(channel, InboundMessage(
        external_id=f"m{n}", sender=Sender(kind="phone", address=f"+55119000000{n:02d}"),
        text="Não gostei, ainda não chegou" if n % 2 else "Muito obrigado, chegou rápido!")).message.pk
        for n in range(SCORERS)]

    # Every message lands in the same four rollup rows (the hour's own, per channel, per team, total);
    # a rebuild of the sentiment rollup runs in the middle of it.
    jobs = [lambda pk=pk: score_messages([pk]) for pk in ids] + [rebuild_sentiment_hours]
    assert run_at_once(jobs) == []

    assert MessageSentiment.objects.count() == SCORERS
    total = HourlySentiment.objects.get(channel_key=ANY_CHANNEL, team_id=ANY)
    assert total.negative + total.neutral + total.positive == SCORERS
    assert total.score_sum == pytest.approx(MessageSentiment.objects.aggregate(s=Sum("score"))["s"])
    assert HourlySentiment.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_and_refreshes_at_once_leave_the_same_rollups(clock, business_week, team, other_team, make_agent):
    require_postgres()
    build_known_week(clock, team, other_team, make_agent)
    facts = sorted(CycleFact.objects.values_list("cycle_id", "first_response_seconds", "resolution_seconds"))
    hours = sorted(HourlyMessages.objects.values_list("hour", "channel_key", "team_id", "agent_id", "inbound",
                                                      "outbound"))

    assert run_at_once([rebuild_rollups, rebuild_rollups, refresh_rollups, refresh_rollups]) == []

    assert sorted(CycleFact.objects.values_list("cycle_id", "first_response_seconds", "resolution_seconds")) == facts
    assert sorted(HourlyMessages.objects.values_list("hour", "channel_key", "team_id", "agent_id", "inbound",
                                                     "outbound")) == hours
    assert RollupCursor.objects.count() == 4
