"""LGPD: export everything about a customer (JSON, CSV safe in a sheet), erase them, retention of raw material."""
import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from commerce.models import StoreDelivery
from conversations.models import Attachment, Customer, Identity, Message, RawInboundEvent
from customers import export
from customers.actions import events, retention
from customers.models import CustomerEvent, Erasure, Journey, Order

from ..conftest import api_message, signed
from .conftest import event, order_event

pytestmark = pytest.mark.django_db
ADDRESS = "+5511988887777"


@pytest.fixture
def through_webhook(api_channel, client, django_capture_on_commit_callbacks):
    """A message as the api channel's provider delivers it: a raw body kept, then ingested."""
    def deliver(external_id, text, address=ADDRESS):
        body, headers = signed(api_message(external_id, address, text=text))
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(f"/webhooks/{api_channel.pk}/", data=body, content_type="application/json",
                                 headers={k: v for k, v in headers.items() if k != "Content-Type"})
        assert answer.status_code in (200, 202), answer.content
        return Identity.objects.get(address=address).customer

    return deliver


@pytest.fixture
def maria(through_webhook):
    customer = through_webhook("m-1", "Meu pedido 1042 não chegou")
    message = Message.objects.get(conversation__customer=customer)
    attachment = Attachment(message=message, filename="nota.pdf", content_type="application/pdf", size=4)
    attachment.file.save("nota.pdf", ContentFile(b"%PDF"), save=True)
    events.record([
        event("Product Viewed", customer={"id": customer.pk}, properties={"sku": "CAN-AZ-300"}),
        order_event("Order Paid", "1042", customer={"id": customer.pk}),
    ])
    Customer.objects.filter(pk=customer.pk).update(name="=HYPERLINK(\"http://evil\",\"Maria\")")
    return Customer.objects.get(pk=customer.pk)


def test_the_export_holds_everything_and_its_csv_runs_no_formula(maria, admin_api):
    data = json.loads(admin_api.get(f"/api/v1/customers/{maria.pk}/export/json/").content)
    assert data["identities"][0]["address"] == ADDRESS
    assert [m["text"] for m in data["messages"]] == ["Meu pedido 1042 não chegou"]
    assert data["attachments"][0]["filename"] == "nota.pdf"
    assert {e["name"] for e in data["events"]} >= {"Product Viewed", "Order Paid"}
    assert data["orders"][0]["items"][0]["sku"] == "SKU-1"
    assert data["journey"]["stage"] == "customer"

    answer = admin_api.get(f"/api/v1/customers/{maria.pk}/export/csv/")
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "record", "field", "value"]
    name = next(row[3] for row in rows if row[:3] == ["customer", "1", "name"])
    assert name == "'=HYPERLINK(\"http://evil\",\"Maria\")"
    assert all(not cell.startswith(export.FORMULA_STARTS) for row in rows for cell in row)


def test_only_admins_export_and_erase(maria, make_agent, team, client_for):
    agent = client_for(make_agent("ana", teams=[team]))
    assert agent.get(f"/api/v1/customers/{maria.pk}/export/json/").status_code == 403
    assert agent.post(f"/api/v1/customers/{maria.pk}/erase/").status_code == 403
    assert Customer.objects.filter(pk=maria.pk).exists()


def test_an_erased_customer_leaves_nothing_findable_and_comes_back_fresh(maria, admin_api, admin_user, through_webhook,
                                                                         django_capture_on_commit_callbacks):
    file_name = Attachment.objects.get().file.name
    assert RawInboundEvent.objects.filter(body__isnull=False).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin_api.post(f"/api/v1/customers/{maria.pk}/erase/")
    assert answer.status_code == 200
    record = Erasure.objects.get()
    assert (record.customer_ref, record.erased_by) == (maria.pk, admin_user)
    assert record.removed["messages"] == 1 and record.removed["raw_inbound_events"] == 1
    assert ADDRESS not in json.dumps(record.removed)

    assert not Customer.objects.exists() and not Identity.objects.exists() and not Message.objects.exists()
    assert not CustomerEvent.objects.exists() and not Journey.objects.exists()
    assert not RawInboundEvent.objects.exists() and not default_storage.exists(file_name)
    order = Order.objects.get()
    assert order.customer is None and order.total > 0  # the sale stays in the shop's figures
    # Nothing findable: API, console search.
    assert admin_api.get(f"/api/v1/customers/?search={ADDRESS[1:]}").json()["count"] == 0
    assert admin_api.get(f"/api/v1/customers/{maria.pk}/").status_code == 404
    assert admin_api.get(f"/api/v1/customers/{maria.pk}/events/").status_code == 404
    console = Client()
    console.force_login(admin_user)
    page = console.get("/search/", {"q": "pedido 1042"}).content.decode()
    assert "não chegou" not in page and ADDRESS not in page

    again = through_webhook("m-2", "Oi de novo")
    assert again.pk != maria.pk
    assert list(Message.objects.filter(conversation__customer=again).values_list("text", flat=True)) == [
        "Oi de novo"]
    assert not Order.objects.filter(customer=again).exists()


def test_erasure_takes_customers_merged_into_them_and_store_deliveries(maria, admin_user, write_in):
    from commerce.actions.stores import create_store
    from conversations.actions.merge import merge_customers
    from customers.actions.privacy import erase_customer

    other = write_in("+5511977776666")
    merge_customers(other, maria, admin_user)
    store = create_store("shopify", "Loja", {"shop_domain": "l.myshopify.com", "webhook_secret": "s"})
    StoreDelivery.objects.create(store=store, delivery_id="d1", body=json.dumps({"phone": ADDRESS}).encode())
    StoreDelivery.objects.create(store=store, delivery_id="d2", body=b'{"phone": "+5511900000000"}')
    erase_customer(maria, admin_user)
    assert not Customer.objects.exists()
    assert list(StoreDelivery.objects.values_list("delivery_id", flat=True)) == ["d2"]


def test_retention_removes_old_raw_bodies_and_attachment_files(maria, settings, django_capture_on_commit_callbacks):
    settings.RAW_INBOUND_RETENTION_DAYS = 30
    settings.ATTACHMENT_RETENTION_DAYS = 60
    attachment = Attachment.objects.get()
    name = attachment.file.name
    RawInboundEvent.objects.update(received_at=timezone.now() - timedelta(days=31))
    pending = RawInboundEvent.objects.create(channel=RawInboundEvent.objects.get().channel, body=b"{}",
                                             received_at=timezone.now() - timedelta(days=90))
    Attachment.objects.update(created_at=timezone.now() - timedelta(days=59))
    assert retention.apply() == {"raw_inbound_events": 1, "attachments": 0}
    assert list(RawInboundEvent.objects.values_list("pk", flat=True)) == [pending.pk]  # work not done yet stays
    Attachment.objects.update(created_at=timezone.now() - timedelta(days=61))
    with django_capture_on_commit_callbacks(execute=True):
        assert retention.apply()["attachments"] == 1
    assert not default_storage.exists(name)
    attachment.refresh_from_db()
    assert not attachment.file and "60 days" in attachment.fetch_error
    assert attachment.filename == "nota.pdf"
    settings.RAW_INBOUND_RETENTION_DAYS = settings.ATTACHMENT_RETENTION_DAYS = 0
    assert retention.apply() == {"raw_inbound_events": 0, "attachments": 0}
