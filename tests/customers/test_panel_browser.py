"""In Chromium: the Customer 360 sections load into the panel (and survive its re-render), erasure from there."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from conversations.models import Customer
from conversations.visibility import is_admin
from customers.actions import events
from customers.models import Erasure

from ..console.conftest import browser, fresh_presence, sign_in  # noqa: F401 (fixtures)
from .conftest import order_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_sees_the_journey_and_erases_the_customer(sign_in, write_in, make_agent):
    customer = write_in("+5511999990001", text="Quero trocar o tamanho")
    events.record([order_event("Order Paid", "A-7", total="80.00", customer={"id": customer.pk})])
    admin = make_agent("rosa", role="admin")
    assert is_admin(admin)
    page = sign_in("rosa", f"/conversations/{customer.conversation.pk}/")
    panel = page.locator("#customer-panel")
    expect(panel.locator("[data-fact=stage]")).to_have_text("Customer")
    expect(panel.locator("[data-fact=totals]")).to_contain_text("80.00 BRL")
    # Editing the customer re-renders the panel: the sections come back.
    panel.locator("summary", has_text="Edit name and attributes").click()
    panel.locator("input[name=name]").fill("Rosa Lima")
    panel.locator("form[action$='/edit/'] button[type=submit]").click()
    expect(panel.locator("h2")).to_have_text("Rosa Lima")
    expect(panel.locator("[data-fact=stage]")).to_have_text("Customer")

    panel.locator("summary", has_text="Privacy").click()
    page.once("dialog", lambda dialog: dialog.accept())
    panel.locator("button", has_text="Erase this customer").click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/")  # back to the inbox
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert Erasure.objects.get().erased_by == admin


def test_older_timeline_entries_load_on_demand(sign_in, write_in, make_agent, team):
    customer = write_in("+5511999990001", text="Oi")
    for n in range(8):
        write_in("+5511999990001", text=f"De novo {n}")
    events.record([order_event("Order Paid", f"B-{n}", customer={"id": customer.pk}) for n in range(6)])
    make_agent("ana", teams=[team])
    page = sign_in("ana", f"/conversations/{customer.conversation.pk}/")
    timeline = page.locator("#customer-panel [data-fact=customer-timeline] li")
    expect(timeline).to_have_count(10)
    more = page.locator("#customer-panel button[data-timeline-more]")
    more.click()
    expect(more).to_have_count(0)
    # Nine messages, six orders, the journey's changes: all of them, once each.
    total = timeline.count()
    assert total > 15
    assert len(set(timeline.all_inner_texts())) == total
