"""What each language's recipients read (footers included, the preview equal to the send), and dynamic
segments following attributes, labels and consent at once, in a bounded number of queries."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.actions.assignment import update_conversation
from conversations.models import Conversation, Customer, Identity, Message
from customers.actions.attributes import define_attribute, set_attributes
from marketing.actions import attribution, campaigns, consent, segments
from marketing.models import Consent, Segment, SegmentMember

from .conftest import TWILIO, customer_with_phone

START = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
TEMPLATES = [{"name": "promo", "language": language, "variables": ["1"], "body": body,
              "content_sid": "HX" + letter * 32}
             for language, body, letter in (("pt_BR", "Oi {{1}}, 20% hoje!", "a"), ("es", "¡Hola {{1}}, 20% hoy!", "b"),
                                            ("en", "Hi {{1}}, 20% off today!", "c"))]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def multilingual_whatsapp(db, team):
    from channels_adapters.setup import create_channel

    return create_channel("twilio_whatsapp", "WhatsApp", {**TWILIO, "templates": TEMPLATES}, team=team)


def test_the_preview_shows_each_language_with_its_opt_out_footer(admin_api, sms, mail, clock):
    customer_with_phone("+5511999990001", name="Joana Prado")
    segment = segments.create("Phones", "dynamic", {"identity": "phone"})
    answer = admin_api.post("/api/v1/campaigns/preview/", {
        "channel": str(sms.pk), "segment": segment.pk,
        "text": 'Oi {{ customer.first_name|default:"cliente" }}, 20% hoje'}, format="json")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["customer"] == "Joana Prado"
    assert body["languages"]["pt-br"]["text"] == "Oi Joana, 20% hoje\n\nResponda SAIR para não receber mais ofertas."
    assert body["languages"]["es"]["text"].endswith("Responde BAJA para no recibir más ofertas.")
    assert body["languages"]["en"]["text"].endswith("Reply STOP to stop receiving offers.")
    email = admin_api.post("/api/v1/campaigns/preview/", {
        "channel": str(mail.pk), "subject": "Novidades", "text": "Olá {{ customer.first_name }}",
        "html": "<p>Olá</p>"}, format="json").json()
    assert email["customer"] is None
    assert email["languages"]["pt-br"]["text"].startswith("Olá Maria\n\nCancelar inscrição: http")
    assert "Darse de baja</a>" in email["languages"]["es"]["html"]
    refused = admin_api.post("/api/v1/campaigns/preview/", {"channel": str(sms.pk), "text": "Oi {{ nome }}"},
                             format="json")
    assert refused.status_code == 400 and "text" in refused.json()


def test_a_recipient_reads_the_footer_and_the_template_in_their_language(sms, multilingual_whatsapp, clock):
    spanish = customer_with_phone("+5511999990001", name="Lucía")
    Customer.objects.filter(pk=spanish.pk).update(language="es")
    customer_with_phone("+5511999990002", name="João")
    segment = segments.create("Phones", "dynamic", {"identity": "phone"})
    sms_campaign = campaigns.create("Promo", segment, sms, text="20% hoje")
    whatsapp_campaign = campaigns.create("Promo WA", segment, multilingual_whatsapp, template={
        "name": "promo", "variables": {"1": '{{ customer.first_name|default:"cliente" }}'}})
    for campaign in (sms_campaign, whatsapp_campaign):
        campaigns.start(campaign.pk)
    clock.shift(timedelta(minutes=1))
    for campaign in (sms_campaign, whatsapp_campaign):
        assert campaigns.send_due(campaign.pk) == 2
    texts = dict(Message.objects.filter(metadata__campaign_id=sms_campaign.pk).values_list(
        "conversation__customer__name", "text"))
    assert texts == {"Lucía": "20% hoje\n\nResponde BAJA para no recibir más ofertas.",
                     "João": "20% hoje\n\nReply STOP to stop receiving offers."}
    sent = {m.conversation.customer.name: (m.metadata["template"]["language"], m.text) for m in
            Message.objects.filter(metadata__campaign_id=whatsapp_campaign.pk).select_related("conversation__customer")}
    assert sent == {"Lucía": ("es", "¡Hola Lucía, 20% hoy!"), "João": ("en", "Hi João, 20% off today!")}


def test_a_customer_without_the_variable_is_skipped_with_the_reason(sms, clock):
    customer_with_phone("+5511999990001")
    segment = segments.create("Phones", "dynamic", {"identity": "phone"})
    campaign = campaigns.create("Promo", segment, sms, text="Oi {{ customer.first_name }}")
    campaigns.start(campaign.pk)
    assert campaigns.send_due(campaign.pk) == 0
    recipient = campaign.recipients.get()
    assert (recipient.status, recipient.skip_reason) == ("skipped", "cannot_send")
    assert "customer.first_name" in recipient.detail


def test_segments_follow_attributes_labels_and_consent_at_once(sms, admin_user, django_capture_on_commit_callbacks):
    define_attribute("plan", "text")
    customer = customer_with_phone("+5511999990001", granted=())
    identity = Identity.objects.get(customer=customer)
    Conversation.objects.get_or_create(customer=customer)
    gold = segments.create("Gold", "dynamic", {"attribute": "plan", "op": "eq", "value": "gold"})
    vip = segments.create("VIP", "dynamic", {"label": "vip"})
    reachable = segments.create("SMS offers", "dynamic", {"consent": {"channel": "sms"}})
    gold_vip = segments.create("Gold VIP", "dynamic", {"all": [{"segment": gold.pk}, {"segment": vip.pk}]})

    def members(segment):
        return set(SegmentMember.objects.filter(segment=segment).values_list("customer_id", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        set_attributes(customer, {"plan": "gold"})
    assert members(gold) == {customer.pk}
    with django_capture_on_commit_callbacks(execute=True):
        update_conversation(customer.conversation, admin_user, labels=["vip"])
    # "Gold VIP" reads the other two segments' members: it is answered after them, in the same refresh.
    assert members(vip) == members(gold_vip) == {customer.pk}
    with django_capture_on_commit_callbacks(execute=True):
        consent.record(identity, "sms", Consent.Purpose.MARKETING, Consent.State.GRANTED, Consent.Source.FORM)
    assert members(reachable) == {customer.pk}
    reachable.refresh_from_db()
    assert reachable.size == 1
    with django_capture_on_commit_callbacks(execute=True):
        consent.record(identity, "sms", Consent.Purpose.MARKETING, Consent.State.REVOKED, Consent.Source.KEYWORD)
    assert members(reachable) == set()
    reachable.refresh_from_db()
    assert reachable.size == 0


def test_refreshing_a_customer_costs_the_same_queries_for_3_or_30_segments(sms):
    customer = customer_with_phone("+5511999990001")

    def queries_for(count):
        for n in range(count - Segment.objects.count()):
            segments.create(f"S{n}-{count}", "dynamic", {"any": [{"identity": "phone"}, {"label": f"l{n}"}]})
        SegmentMember.objects.filter(customer=customer).delete()
        with CaptureQueriesContext(connection) as captured:
            joined = segments.refresh_customer(customer.pk)
        assert len(joined) == count
        return len(captured)

    assert queries_for(3) == queries_for(30)


def test_the_report_costs_the_same_queries_for_1_or_40_recipients(sms, clock):
    segment = segments.create("Phones", "dynamic", {"identity": "phone"})

    def queries_with(count):
        for n in range(count - Customer.objects.count()):
            customer_with_phone(f"+55119999{n + 100 * count:05d}")
        segments.recompute(segment.pk)
        campaign = campaigns.create(f"Promo {count}", segment, sms, text="20% hoje", rate_per_minute=6000)
        campaigns.start(campaign.pk)
        with CaptureQueriesContext(connection) as captured:
            report = attribution.report(campaign)
        assert report["total"]["recipients"] == Customer.objects.count()
        return len(captured)

    assert queries_with(1) == queries_with(40)
