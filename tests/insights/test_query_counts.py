"""Every report costs a fixed number of queries, however many cycles and messages its rollups hold."""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from insights.actions.rollups import refresh_rollups

QUERY = "from=2026-03-06&to=2026-03-09&tz=UTC"
# The API answer of each report: authentication, the filters' checks, then the rollup reads.
API_QUERIES = {"overview": 8, "response-times": 8, "csat": 3, "heatmap": 3, "channels": 9, "teams": 9,
               "agents": 9, "labels": 7, "funnel": 4, "hops": 10, "sentiment": 6}
# The console page adds the session, the menu, the weekly-summary switch and the filters' choices.
PAGE_QUERIES = {"overview": 14, "agents": 15}


def queries(get):
    with CaptureQueriesContext(connection) as captured:
        assert get().status_code == 200
    return len(captured)


def more_of_the_same(known_week, clock):
    """Twenty more customers, answered by the same agent on both channels: more rows, the same queries."""
    from channels_adapters.types import InboundMessage, Sender
    from conversations.actions.ingest import ingest_message
    from conversations.actions.replies import send_reply

    for n in range(20):
        clock.set(2026, 3, 9, 16, n)
        channel = known_week["sms"] if n % 2 else known_week["whatsapp"]
        conversation = ingest_message(channel, InboundMessage(
            external_id=f"more-{n}", sender=Sender(kind="phone", address=f"+55119100000{n:02d}"),
            text="Quando chega?")).message.conversation
        send_reply(conversation, known_week["agent"], "Hoje!", channel=channel)
    clock.set(2026, 3, 9, 17, 0)
    refresh_rollups()


def counts(known_week, client_for):
    client = client_for(known_week["supervisor"])
    api = {name: queries(lambda name=name: client.get(f"/api/v1/reports/{name}/?{QUERY}")) for name in API_QUERIES}
    console = Client()
    console.force_login(known_week["supervisor"])
    pages = {name: queries(lambda name=name: console.get(f"/reports/{name}/?{QUERY}")) for name in PAGE_QUERIES}
    return api, pages


def test_reports_read_a_fixed_number_of_queries_with_few_and_many_rows(known_week, clock, client_for):
    few = counts(known_week, client_for)
    more_of_the_same(known_week, clock)
    many = counts(known_week, client_for)
    assert few == many == (API_QUERIES, PAGE_QUERIES)
