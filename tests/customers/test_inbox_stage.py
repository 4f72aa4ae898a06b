"""The inbox and the API's conversation list filter by the customer's journey stage."""
import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from console.models import SavedView
from customers.actions import events
from customers.models import Journey

from .conftest import order_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def shoppers(write_in, make_agent, team):
    """A prospect (wrote in before buying), a buyer (a paid order), a visitor and a customer whose journey was
    never computed (written before the layer existed), one agent of the team."""
    prospect = write_in("+5511999990001")
    buyer = write_in("+5511999990002")
    events.record([order_event("Order Paid", "A-1", customer={"id": buyer.pk})])
    visitor = write_in("+5511999990003")
    Journey.objects.filter(customer=visitor).update(stage=Journey.Stage.VISITOR)
    unknown = write_in("+5511999990004")
    Journey.objects.filter(customer=unknown).delete()
    return {"prospect": prospect, "buyer": buyer, "visitor": visitor, "unknown": unknown,
            "agent": make_agent("ana", teams=[team])}


def _browser(user, language=None):
    browser = Client(headers={"accept-language": language} if language else {})
    browser.force_login(user)
    return browser


def _row_ids(browser, query):
    page = BeautifulSoup(browser.get(f"/?{query}").content, "html.parser")
    return {int(row["data-id"]) for row in page.select("li.row")}


def test_the_inbox_lists_the_conversations_of_one_stage_and_counts_them(shoppers):
    browser = _browser(shoppers["agent"])
    prospect, buyer, visitor, unknown = (shoppers[name].conversation.pk
                                         for name in ("prospect", "buyer", "visitor", "unknown"))
    assert _row_ids(browser, "view=teams") == {prospect, buyer, visitor, unknown}
    assert _row_ids(browser, "view=teams&stage=customer") == {buyer}
    assert _row_ids(browser, "view=teams&stage=prospect") == {prospect}
    assert _row_ids(browser, "view=teams&stage=visitor") == {visitor}
    assert _row_ids(browser, "view=teams&stage=lost") == set()
    # An unknown stage filters nothing, like the inbox's other filters.
    assert _row_ids(browser, "view=teams&stage=vip") == {prospect, buyer, visitor, unknown}
    live = browser.get("/inbox/rows/", {"view": "teams", "stage": "customer"}).json()
    assert [row["id"] for row in live["rows"]] == [buyer] and live["counts"]["teams"] == 1
    assert browser.get("/inbox/rows/", {"view": "teams", "stage": "customer", "ids": f"{prospect},{buyer}"}).json()[
        "missing"] == [prospect]


def test_the_filter_is_in_the_agents_language_and_keeps_its_choice(shoppers):
    page = BeautifulSoup(_browser(shoppers["agent"], "pt-BR").get("/?view=teams&stage=repeat").content, "html.parser")
    select = page.select_one("#filters select[name=stage]")
    assert select.select_one("option[selected]")["value"] == "repeat"
    assert "Cliente recorrente" in select.text and "Em risco" in select.text
    assert "Etapa da jornada" in page.select_one("#filters").text


def test_a_saved_view_keeps_the_stage(shoppers):
    browser = _browser(shoppers["agent"])
    assert browser.post("/views/", {"name": "Buyers", "filters": "stage=customer&status=open"}).json()["ok"]
    view = SavedView.objects.get()
    assert view.filters == {"stage": "customer", "status": "open"}
    assert _row_ids(browser, f"view={view.slug}") == {shoppers["buyer"].conversation.pk}


def test_the_stage_filter_shows_nothing_the_agent_may_not_see(shoppers, make_agent, other_team):
    outsider = _browser(make_agent("otto", teams=[other_team]))
    assert _row_ids(outsider, "view=teams&stage=customer") == set()


def test_the_stage_filter_costs_no_query_of_its_own(shoppers):
    browser = _browser(shoppers["agent"])
    counts = []
    for query in ("view=teams", "view=teams&stage=customer", "view=teams&stage=visitor"):
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(f"/?{query}").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1] == counts[2], counts


def test_the_api_filters_conversations_by_stage(shoppers, client_for):
    api = client_for(shoppers["agent"])
    ids = [row["id"] for row in api.get("/api/v1/conversations/", {"journey_stage": "customer"}).json()["results"]]
    assert ids == [shoppers["buyer"].conversation.pk]
    ids = [row["id"] for row in api.get("/api/v1/conversations/", {"journey_stage": "visitor"}).json()["results"]]
    assert ids == [shoppers["visitor"].conversation.pk]
    refused = api.get("/api/v1/conversations/", {"journey_stage": "vip"})
    assert refused.status_code == 400 and "journey_stage" in refused.json()
