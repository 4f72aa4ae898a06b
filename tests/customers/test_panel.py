"""The customer panel's Customer 360 sections: what an agent sees, in a fixed number of queries."""
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations.actions.touchpoints import PageView, record_page_views
from conversations.models import Message
from customers import panel, recommendations, vocabulary
from customers.models import CustomerEvent, Order
from customers.actions import events

from .conftest import event, order_event

pytestmark = pytest.mark.django_db


def _shop(customer, orders=1, views=2, extra_events=0):
    """A customer's history: product views just before writing, paid orders, other people's baskets."""
    last_message = Message.objects.filter(conversation__customer=customer).latest("created_at").created_at
    items = [event("Product Viewed", customer={"id": customer.pk}, properties={"sku": "CAN-AZ-300",
                                                                                "name": "Caneca azul"},
                   now=last_message - timedelta(minutes=5 + n)) for n in range(views)]
    items += [order_event("Order Paid", f"{customer.pk}-{n}", total="100.00", customer={"id": customer.pk},
                          items=[{"sku": "CHA-MATE", "name": "Chá mate", "quantity": 1, "price": "100.00"}],
                          days_ago=10 + n) for n in range(orders)]
    items += [event("Newsletter Opened", customer={"id": customer.pk}) for _ in range(extra_events)]
    for index in range(0, len(items), 100):
        events.record(items[index:index + 100])


def _baskets():
    events.record([order_event("Order Paid", f"basket-{n}", email=f"b{n}@example.com",
                               items=[{"sku": "CHA-MATE", "name": "Chá mate", "quantity": 1, "price": "10"},
                                      {"sku": "CUIA", "name": "Cuia de porongo", "quantity": 1, "price": "10"}])
                   for n in range(3)])
    recommendations.compute_pairs()


def _panel(user, customer):
    """The Customer 360 sections as the console loads them into the conversation page's panel."""
    browser = Client()
    browser.force_login(user)
    page = BeautifulSoup(browser.get(f"/conversations/{customer.conversation.pk}/").content, "html.parser")
    slot = page.select_one("#customer-panel [data-customer360-src]")
    fragment = browser.get(slot["data-customer360-src"])
    assert fragment.status_code == 200
    return BeautifulSoup(fragment.content, "html.parser").select_one("[data-fact=customer360]")


def test_the_panel_shows_journey_totals_channels_views_suggestions_and_one_timeline(write_in, admin_user, api_channel):
    customer = write_in("+5511999990001", text="Tem a caneca azul?")
    _shop(customer, orders=2)
    _baskets()
    record_page_views(customer, api_channel, [PageView("https://shop.example/caneca-azul", "Caneca azul",
                                                        timezone.now() - timedelta(hours=1))])
    panel = _panel(admin_user, customer)
    assert panel.select_one("[data-fact=stage]").text == "Repeat customer"
    assert "2 paid orders in the last 365 days" in panel.select_one("[data-fact=stage-evidence]").text
    totals = [dd.text.strip() for dd in panel.select("[data-fact=totals] dd")]
    assert totals[:3] == ["2", "200.00 BRL", "100.00 BRL"]
    assert "Shop API" in panel.select_one("[data-fact=channel-mix]").text
    assert "First contact on Shop API" in panel.select_one("[data-fact=first-channel]").text
    viewed = panel.select_one("[data-fact=viewed-before-writing]").text
    assert "Viewed CAN-AZ-300 Caneca azul 2 times, then asked on Shop API" in " ".join(viewed.split())
    suggestion = " ".join(panel.select_one("[data-fact=suggestions]").text.split())
    assert "Cuia de porongo bought with CHA-MATE in 3 orders" in suggestion
    timeline = panel.select_one("[data-fact=customer-timeline]")
    kinds = {li["class"][0] for li in timeline.select("li")}
    assert kinds == {"entry-message", "entry-page", "entry-event", "entry-order"}
    assert "Tem a caneca azul?" in timeline.text and "Order " in timeline.text
    assert panel.select_one("form[data-erase]") is not None  # an admin may erase


def test_an_agent_sees_no_privacy_actions(write_in, make_agent, team):
    customer = write_in()
    agent = make_agent("ana", teams=[team])
    panel = _panel(agent, customer)
    assert panel.select_one("form[data-erase]") is None
    browser = Client()
    browser.force_login(agent)
    assert browser.post(f"/customers/{customer.pk}/erase/").status_code == 403
    assert browser.get(f"/customers/{customer.pk}/export/json/").status_code == 403


def test_the_fragment_is_for_agents_who_may_see_the_conversation(write_in, make_agent, team, other_team):
    customer = write_in()
    insider, outsider = Client(), Client()
    insider.force_login(make_agent("ana", teams=[team]))
    outsider.force_login(make_agent("otto", teams=[other_team]))
    path = f"/conversations/{customer.conversation.pk}/customer-360/"
    assert insider.get(path).status_code == 200
    assert outsider.get(path).status_code == 404


# Session, user, profile; the conversation with its customer, journey and last message; the merged records;
# one page of the timeline (one UNION ALL); totals; channel mix; products viewed before writing; suggestions;
# activity counters.
PANEL_QUERIES = 11


def test_the_panel_query_count_is_pinned_and_does_not_grow_with_the_history(write_in, admin_user,
                                                                            django_assert_num_queries):
    small = write_in("+5511999990001")
    big = write_in("+5511999990002")
    for n in range(5):
        write_in("+5511999990002", text=f"message {n}")
    _shop(big, orders=30, views=20, extra_events=150)
    _baskets()
    browser = Client()
    browser.force_login(admin_user)
    for customer in (small, big):
        with django_assert_num_queries(PANEL_QUERIES):
            assert browser.get(f"/conversations/{customer.conversation.pk}/customer-360/").status_code == 200


def test_the_timeline_shows_a_page_and_older_entries_on_demand(write_in, admin_user):
    customer = write_in("+5511999990002")
    for n in range(4):
        write_in("+5511999990002", text=f"message {n}")
    _shop(customer, orders=6, views=3, extra_events=12)
    browser = Client()
    browser.force_login(admin_user)
    fragment = BeautifulSoup(browser.get(f"/conversations/{customer.conversation.pk}/customer-360/").content,
                             "html.parser")
    shown = fragment.select("[data-fact=customer-timeline] li")
    assert len(shown) == panel.TIMELINE_PAGE
    older = fragment.select_one("button[data-timeline-more]")["data-timeline-more"]
    times = [li.time["datetime"] for li in shown]
    pages = 1
    while older:
        with CaptureQueriesContext(connection) as queries:
            answer = browser.get(older)
        assert answer.status_code == 200 and len(queries) <= 7
        page = answer.json()
        times += [li.time["datetime"] for li in BeautifulSoup(page["html"], "html.parser").select("li")]
        older, pages = page["more"], pages + 1
    # Every message, non-order event (the journey's changes too) and order once, newest first.
    expected = (customer.conversation.messages.count()
                + CustomerEvent.objects.filter(customer=customer).exclude(name__in=vocabulary.ORDER_EVENTS).count()
                + Order.objects.filter(customer=customer).count())
    assert expected > 2 * panel.TIMELINE_PAGE
    assert len(times) == expected and pages == -(-expected // panel.TIMELINE_PAGE)
    assert times == sorted(times, reverse=True)


def test_older_entries_are_for_those_who_may_see_and_a_bad_cursor_is_refused(write_in, make_agent, team,
                                                                             other_team):
    customer = write_in()
    path = f"/conversations/{customer.conversation.pk}/customer-360/timeline/"
    outsider, insider = Client(), Client()
    outsider.force_login(make_agent("otto", teams=[other_team]))
    insider.force_login(make_agent("ana", teams=[team]))
    cursor = f"{timezone.now().isoformat()}~3~999999"
    assert outsider.get(path, {"before": cursor}).status_code == 404
    answer = insider.get(path, {"before": cursor})
    assert answer.status_code == 200 and "Hello" in answer.json()["html"] and answer.json()["more"] is None
    for bad in ("", "yesterday~1~2", "2026-12-01T10:00:00~1~2", "2026-12-01T10:00:00+00:00~x~2"):
        refused = insider.get(path, {"before": bad})
        assert refused.status_code == 400 and refused.json()["error"]


@pytest.mark.parametrize("language, words", [("pt-BR", ["Jornada", "Ticket médio", "Linha do tempo do cliente"]),
                                             ("es", ["Recorrido", "Ticket promedio", "Cronología del cliente"])])
def test_the_sections_speak_the_agents_language(write_in, admin_user, language, words):
    customer = write_in()
    _shop(customer)
    browser = Client(headers={"accept-language": language})
    browser.force_login(admin_user)
    page = browser.get(f"/conversations/{customer.conversation.pk}/customer-360/").content.decode()
    assert all(word in page for word in words)
