"""Typed attributes: one registry, checked on every path (API, console, widget); a wrong type stores nothing."""
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from conversations.models import Customer, Message
from customers.actions.attributes import define_attribute
from customers.models import AttributeDefinition, AttributeValue
from omnidesk.asgi import application

from ..channels_adapters.webchat.conftest import (  # noqa: F401 (fixtures)
    SHOP_ORIGIN,
    fresh_cache_and_layer,
    make_webchat_channel,
    visitor_token,
    webchat,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(db):
    define_attribute("plan", "list", label="Plan", options=["free", "gold"], writable_by_widget=True)
    define_attribute("orders_before", "number", label="Orders before us")
    define_attribute("credit", "currency", currency="brl")
    define_attribute("vip", "boolean", writable_by_widget=True)
    define_attribute("birthday", "date", writable_by_api=False)
    define_attribute("internal_score", "decimal", writable_by_widget=False)


def test_the_api_stores_typed_values_and_their_typed_copies(registry, write_in, admin_api):
    customer = write_in()
    answer = admin_api.patch(f"/api/v1/customers/{customer.pk}/attributes/", {"attributes": {
        "plan": "gold", "orders_before": 3, "credit": "19.90", "vip": True, "shoe_size": "42"}}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["attributes"] == {"plan": "gold", "orders_before": 3, "credit": "19.90", "vip": True,
                                           "shoe_size": "42"}
    typed = {v.definition.key: v for v in AttributeValue.objects.select_related("definition")}
    assert typed["orders_before"].number_value == 3 and typed["credit"].number_value == Decimal("19.90")
    assert typed["vip"].bool_value is True and typed["plan"].text_value == "gold"
    assert "shoe_size" not in typed  # free-form keys keep working, untyped
    # Queryable as numbers, not text: 3 > 2.5 in a segment's WHERE.
    assert AttributeValue.objects.filter(definition__key="orders_before", number_value__gt=Decimal("2.5")).exists()

    removed = admin_api.patch(f"/api/v1/customers/{customer.pk}/attributes/", {"attributes": {"vip": None}},
                              format="json")
    assert "vip" not in removed.json()["attributes"]
    assert not AttributeValue.objects.filter(definition__key="vip").exists()


@pytest.mark.parametrize("attributes, says", [
    ({"orders_before": "three"}, "whole number"),
    ({"orders_before": True}, "whole number"),
    ({"orders_before": 2.5}, "whole number"),
    ({"credit": "19,90x"}, "number"),
    ({"vip": "yes"}, "true or false"),
    ({"plan": "platinum"}, "free, gold"),
    ({"birthday": "1990-02-30"}, "cannot be set"),  # the API may not write it at all
    ({"plan": "gold", "vip": "no"}, "true or false"),  # one bad value refuses the whole write
])
def test_a_wrong_type_is_a_422_and_nothing_is_stored(registry, write_in, admin_api, attributes, says):
    customer = write_in()
    answer = admin_api.patch(f"/api/v1/customers/{customer.pk}/attributes/", {"attributes": attributes},
                             format="json")
    assert answer.status_code == 422
    assert says in answer.json()["attributes"][0]
    customer.refresh_from_db()
    assert customer.attributes == {} and not AttributeValue.objects.exists()


def test_a_date_must_be_a_real_date(registry, write_in):
    from conversations.actions.customers import update_customer
    from conversations.actions.errors import ActionError

    customer = write_in()
    with pytest.raises(ActionError, match="YYYY-MM-DD"):
        update_customer(customer, attributes={"birthday": "1990-02-30"}, from_text=True)
    update_customer(customer, attributes={"birthday": "1990-02-28"}, from_text=True)
    assert AttributeValue.objects.get(definition__key="birthday").date_value.isoformat() == "1990-02-28"


def test_the_console_form_converts_text_and_refuses_a_wrong_type(registry, write_in, admin_user):
    customer = write_in()
    browser = Client()
    browser.force_login(admin_user)
    refused = browser.post(f"/customers/{customer.pk}/edit/", {
        "name": "Maria", "attributes": "orders_before = lots\nplan = gold"})
    assert refused.status_code == 400 and "orders_before" in refused.json()["error"]
    customer.refresh_from_db()
    assert customer.attributes == {} and customer.name == ""

    saved = browser.post(f"/customers/{customer.pk}/edit/", {
        "name": "Maria", "attributes": "orders_before = 4\ncredit = 10,50\nvip = sim\nnote = calls after 6pm"})
    assert saved.status_code == 200, saved.content
    customer.refresh_from_db()
    assert customer.attributes == {"orders_before": 4, "credit": "10.50", "vip": True, "note": "calls after 6pm"}
    assert AttributeValue.objects.filter(customer=customer).count() == 3


def test_who_may_write_is_kept_per_attribute(registry, write_in):
    from conversations import attribute_rules
    from conversations.actions.customers import update_profile
    from conversations.actions.errors import ActionError

    customer = write_in()
    with pytest.raises(ActionError, match="cannot be set from here"):
        update_profile(customer, attributes={"internal_score": 9}, writer=attribute_rules.WIDGET)
    assert Customer.objects.get(pk=customer.pk).attributes == {}


def test_registering_refuses_what_would_not_work(db):
    from conversations.actions.errors import ActionError

    for key, kind, extra in [("Plan", "text", {}), ("email", "text", {}), ("plan", "colour", {}),
                             ("plan", "list", {}), ("credit", "currency", {}), ("n", "number", {"options": ["a"]})]:
        with pytest.raises(ActionError):
            define_attribute(key, kind, **extra)
    define_attribute("plan", "text")
    with pytest.raises(ActionError, match="already defined"):
        define_attribute("plan", "number")
    assert AttributeDefinition.objects.count() == 1


def test_only_admins_define_attributes_and_everyone_reads_them(db, make_agent, admin_api, client_for):
    agent = client_for(make_agent("ana"))
    assert agent.post("/api/v1/customers/attributes/", {"key": "plan", "label": "Plan", "type": "text"},
                      format="json").status_code == 403
    created = admin_api.post("/api/v1/customers/attributes/", {"key": "plan", "label": "Plan", "type": "list",
                                                               "options": ["free", "gold"]}, format="json")
    assert created.status_code == 201, created.content
    bad = admin_api.post("/api/v1/customers/attributes/", {"key": "x", "type": "list", "label": "X", "options": []},
                         format="json")
    assert bad.status_code == 400
    assert [d["key"] for d in agent.get("/api/v1/customers/attributes/").json()] == ["plan"]
    changed = admin_api.patch("/api/v1/customers/attributes/plan/", {"options": ["free", "gold", "black"]},
                              format="json")
    assert changed.json()["options"] == ["free", "gold", "black"]
    assert agent.delete("/api/v1/customers/attributes/plan/").status_code == 403
    assert admin_api.delete("/api/v1/customers/attributes/plan/").status_code == 204
    assert admin_api.get("/api/v1/customers/attributes/").json() == []
    assert admin_api.delete("/api/v1/customers/attributes/plan/").status_code == 404


def test_an_agent_only_writes_attributes_of_customers_they_may_see(registry, write_in, make_agent, other_team,
                                                                    client_for):
    customer = write_in()  # the api channel's team
    outsider = client_for(make_agent("otto", teams=[other_team]))
    answer = outsider.patch(f"/api/v1/customers/{customer.pk}/attributes/", {"attributes": {"plan": "gold"}},
                            format="json")
    assert answer.status_code == 404


@pytest.mark.django_db(transaction=True)
async def test_the_widget_set_attributes_path_is_checked_too(webchat):
    await sync_to_async(define_attribute)("vip", "boolean", writable_by_widget=True)
    await sync_to_async(define_attribute)("internal_score", "decimal")
    communicator = WebsocketCommunicator(application, f"/ws/webchat/{webchat.pk}/",
                                         headers=[(b"origin", SHOP_ORIGIN.encode())])
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "hello", "token": visitor_token(webchat)})
    await communicator.receive_json_from()
    await communicator.receive_json_from()

    async def say(client_id, attributes):
        await communicator.send_json_to({"type": "message", "client_id": client_id, "text": "Hi",
                                         "attributes": attributes})
        return await communicator.receive_json_from()

    wrong = await say("client-0001", {"vip": "maybe"})
    assert wrong["type"] == "refused" and "true or false" in wrong["error"]
    not_allowed = await say("client-0002", {"internal_score": 3})
    assert not_allowed["type"] == "refused" and "cannot be set" in not_allowed["error"]
    assert await sync_to_async(Message.objects.count)() == 0
    accepted = await say("client-0003", {"vip": True, "utm_source": "instagram"})
    assert accepted["type"] == "accepted"
    customer = await sync_to_async(Customer.objects.get)()
    assert customer.attributes == {"vip": True, "utm_source": "instagram"}
    assert await sync_to_async(AttributeValue.objects.filter(customer=customer, bool_value=True).count)() == 1
    await communicator.disconnect()


def test_values_stored_before_a_key_is_typed_are_copied_when_they_fit(write_in, django_capture_on_commit_callbacks):
    from conversations.actions.customers import update_customer

    fits, does_not = write_in("+5511999990001"), write_in("+5511999990002")
    update_customer(fits, attributes={"orders_before": "7"})
    update_customer(does_not, attributes={"orders_before": "many"})
    with django_capture_on_commit_callbacks(execute=True):
        define_attribute("orders_before", "number")
    assert list(AttributeValue.objects.values_list("customer_id", "number_value")) == [(fits.pk, Decimal("7"))]
    does_not.refresh_from_db()
    assert does_not.attributes == {"orders_before": "many"}  # still shown, as it was
