"""Campaigns: snapshot with skip reasons, throttle on a frozen clock, kill-and-resume, statuses, attribution."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from channels_adapters.email import smtp
from channels_adapters.types import InboundStatus
from conversations.actions.ingest import apply_status
from conversations.models import Conversation, Customer, Identity, Message
from customers.models import Order
from marketing.actions import attribution, campaigns, consent
from marketing.actions.segments import create as create_segment
from marketing.models import Consent, Recipient

from .conftest import WHATSAPP_TEMPLATE, customer_with_phone, write

# 15:00 in São Paulo: outside the default quiet hours.
START = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def many_customers(count):
    customers = Customer.objects.bulk_create([Customer(name=f"C{n}") for n in range(count)])
    Conversation.objects.bulk_create([Conversation(customer=c) for c in customers])
    identities = Identity.objects.bulk_create([
        Identity(customer=c, kind="phone", address=f"+55119{n:08d}", verified=True) for n, c in enumerate(customers)])
    Consent.objects.bulk_create([Consent(customer_id=i.customer_id, identity=i, channel="sms", purpose="marketing",
                                         state="granted", source="import", evidence={"file": "crm.csv"})
                                 for i in identities])
    return customers


def sms_campaign(sms, name="Promo", **extra):
    segment = create_segment(f"Audience of {name}", "dynamic", {"identity": "phone"})
    return campaigns.create(name, segment, sms, text="Oi {{ customer.first_name|default:\"cliente\" }}, 20% hoje", **extra)


# 1,000 real sends through the core's reply action: slow on a loaded machine, so a longer timeout.
@pytest.mark.timeout(900)
def test_1000_recipients_at_60_a_minute_take_more_than_16_minutes(sms, clock):
    many_customers(1000)
    campaign = sms_campaign(sms)
    campaigns.start(campaign.pk)
    assert campaign.recipients.filter(status="queued").count() == 1000
    sent, minutes = 0, 0
    while Recipient.objects.filter(campaign=campaign, status="queued").exists():
        sent += campaigns.send_due(campaign.pk)
        assert sent <= 60 * minutes + 1, "never faster than the rate"
        minutes += 1
        clock.shift(timedelta(minutes=1))
    assert sent == 1000
    assert minutes > 16
    campaign.refresh_from_db()
    assert campaign.status == "completed"
    assert Message.objects.filter(direction="outbound", metadata__campaign_id=campaign.pk).count() == 1000


def test_a_killed_worker_resumes_without_sending_anything_twice(sms, clock, monkeypatch):
    many_customers(30)
    campaign = sms_campaign(sms, rate_per_minute=6000)
    campaigns.start(campaign.pk)
    real_send, calls = campaigns._send_one, []

    def dies_on_the_eleventh(*args):
        calls.append(1)
        message = real_send(*args)
        if len(calls) == 11:
            raise SystemExit("worker killed")
        return message

    monkeypatch.setattr(campaigns, "_send_one", dies_on_the_eleventh)
    clock.shift(timedelta(seconds=1))
    with pytest.raises(SystemExit):
        campaigns.send_due(campaign.pk)
    assert Recipient.objects.filter(campaign=campaign, status="sent").count() == 10
    monkeypatch.setattr(campaigns, "_send_one", real_send)
    clock.shift(timedelta(seconds=1))
    assert campaigns.send_due(campaign.pk) == 20
    assert campaigns.send_due(campaign.pk) == 0
    outbound = Message.objects.filter(direction="outbound", metadata__campaign_id=campaign.pk)
    assert outbound.count() == 30
    assert outbound.values("conversation").distinct().count() == 30


def test_skip_reasons_no_identity_no_consent_frequency_cap_quiet_hours_whatsapp_rules(sms, whatsapp, mail, clock):
    granted = customer_with_phone("+5511999990001")
    customer_with_phone("+5511999990002", granted=())
    capped = customer_with_phone("+5511999990003")
    night_owl = customer_with_phone("+5511999990004")
    night_owl.attributes = {"time_zone": "Asia/Tokyo"}
    night_owl.save()
    american = customer_with_phone("+14155550100")
    write(mail, "ana@example.com", kind="email")
    for n in range(2):
        earlier = sms_campaign(sms, name=f"Earlier {n}")
        Recipient.objects.create(campaign=earlier, customer=capped, status="sent", send_after=START,
                                 sent_at=START - timedelta(days=2))
    segment = create_segment("Everyone", "dynamic", {"any": [{"identity": "phone"}, {"identity": "email"}]})
    campaign = campaigns.create("Promo", segment, whatsapp, template=WHATSAPP_TEMPLATE)
    campaigns.start(campaign.pk)
    reasons = {r.customer.identities.first().address: r.skip_reason for r in campaign.recipients.all()}
    assert reasons == {"+5511999990001": "", "+5511999990002": "no_consent", "+5511999990003": "frequency_cap",
                       "+5511999990004": "quiet_hours", "+14155550100": "whatsapp_rules", "ana@example.com":
                       "no_identity"}
    assert campaigns.send_due(campaign.pk) == 1
    message = Message.objects.get(metadata__campaign_id=campaign.pk)
    assert message.conversation.customer == granted
    assert message.metadata["template"]["name"] == "promo"
    report = attribution.report(campaign)
    assert report["skipped_by_reason"]["no_consent"] == 1
    assert american.pk in set(campaign.recipients.filter(skip_reason="whatsapp_rules").values_list(
        "customer_id", flat=True))


def test_a_late_delivered_after_read_stays_read(sms, clock):
    customer_with_phone("+5511999990001")
    campaign = sms_campaign(sms)
    campaigns.start(campaign.pk)
    campaigns.send_due(campaign.pk)
    recipient = campaign.recipients.get()
    Message.objects.filter(pk=recipient.message_id).update(status="sent", external_id="SM1")
    apply_status(sms, InboundStatus(external_id="SM1", status="read"))
    apply_status(sms, InboundStatus(external_id="SM1", status="delivered"))
    recipient = Recipient.objects.select_related("message").get(pk=recipient.pk)
    assert recipient.delivery_status == "read"
    total = attribution.report(campaign)["total"]
    assert (total["sent"], total["delivered"], total["read"]) == (1, 1, 1)


@pytest.mark.parametrize(("hours", "credited"), [(71, True), (73, False)])
def test_a_reply_on_email_to_a_whatsapp_campaign_is_credited_within_72_hours(
        whatsapp, mail, clock, hours, credited, django_capture_on_commit_callbacks):
    customer = customer_with_phone("+5511999990001", granted=("whatsapp",))
    Identity.objects.create(customer=customer, kind="email", address="maria@example.com", verified=True)
    segment = create_segment("WhatsApp people", "dynamic", {"consent": {"channel": "whatsapp"}})
    campaign = campaigns.create("Promo", segment, whatsapp, template=WHATSAPP_TEMPLATE)
    campaigns.start(campaign.pk)
    assert campaigns.send_due(campaign.pk) == 1
    clock.shift(timedelta(hours=hours))
    reply = write(mail, "maria@example.com", "Quero!", kind="email", capture=django_capture_on_commit_callbacks)
    assert reply.conversation.customer == customer
    recipient = campaign.recipients.get()
    labels = set(reply.conversation.labels.values_list("name", flat=True))
    if credited:
        assert recipient.replied_at == START + timedelta(hours=hours)
        assert labels == {attribution.campaign_label(campaign)}
        assert attribution.report(campaign)["total"]["replied"] == 1
    else:
        assert recipient.replied_at is None
        assert labels == set()


def test_a_paid_order_within_5_days_credits_the_last_campaign(sms, clock):
    customer = customer_with_phone("+5511999990001")
    first, second = sms_campaign(sms, name="First"), sms_campaign(sms, name="Second")
    campaigns.start(first.pk)
    campaigns.send_due(first.pk)
    clock.shift(timedelta(days=1))
    campaigns.start(second.pk)
    campaigns.send_due(second.pk)
    Order.objects.create(customer=customer, store="api", external_id="1", status="paid", total=Decimal("120.00"),
                         placed_at=START + timedelta(days=3), paid_at=START + timedelta(days=3))
    Order.objects.create(customer=customer, store="api", external_id="2", status="paid", total=Decimal("80.00"),
                         placed_at=START + timedelta(days=5, hours=23), paid_at=START + timedelta(days=5, hours=23))
    Order.objects.create(customer=customer, store="api", external_id="3", status="paid", total=Decimal("999.00"),
                         placed_at=START + timedelta(days=7), paid_at=START + timedelta(days=7))
    assert attribution.report(first)["total"]["orders"] == 0
    second_report = attribution.report(second)["total"]
    assert (second_report["orders"], second_report["revenue"]) == (2, Decimal("200.00"))
    assert attribution.report(second)["channels"]["sms"]["revenue"] == Decimal("200.00")


def test_email_campaigns_carry_an_unsubscribe_link_and_header_that_revoke(mail, client, clock):
    customer = Customer.objects.create(name="Ana")
    Conversation.objects.create(customer=customer)
    identity = Identity.objects.create(customer=customer, kind="email", address="ana@example.com", verified=True)
    consent.record(identity, "email", "marketing", "granted", "form", {"form": "newsletter"})
    segment = create_segment("Readers", "dynamic", {"consent": {"channel": "email"}})
    campaign = campaigns.create("News", segment, mail, subject="Novidades", text="Olá {{ customer.name }}",
                                html="<p>Olá <b>{{ customer.name }}</b></p><script>x()</script>")
    campaigns.start(campaign.pk)
    assert campaigns.send_due(campaign.pk) == 1
    message = Message.objects.get(metadata__campaign_id=campaign.pk)
    link = message.metadata["list_unsubscribe"]
    assert link in message.text and link in message.html
    assert message.text.startswith("Olá Ana") and "<script>" not in message.html
    composed = smtp.compose(from_address="s@example.com", from_name="", to="ana@example.com", subject="Novidades",
                            text=message.text, html=message.html, message_id="m@example.com",
                            list_unsubscribe=link)
    assert composed["List-Unsubscribe"] == f"<{link}>"
    assert composed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200
    assert consent.is_granted(identity, "email")
    assert client.post(f"/{path}").status_code == 200
    assert not consent.is_granted(identity, "email")
    assert Consent.objects.filter(identity=identity).first().source == "form"
    assert client.post("/marketing/unsubscribe/forged/").status_code == 404


def test_campaigns_api_compose_start_pause_resume_cancel_and_recipients(admin_api, sms, whatsapp, clock):
    many_customers(3)
    segment = create_segment("All phones", "dynamic", {"identity": "phone"})
    assert admin_api.post("/api/v1/campaigns/", {"name": "WA", "segment": segment.pk, "channel": str(whatsapp.pk),
                                                 "text": "hi"}, format="json").status_code == 400
    assert admin_api.post("/api/v1/campaigns/", {"name": "x", "segment": segment.pk, "channel": str(sms.pk),
                                                 "text": "hi", "rate_per_minute": 0}, format="json").status_code == 400
    created = admin_api.post("/api/v1/campaigns/", {"name": "SMS", "segment": segment.pk, "channel": str(sms.pk),
                                                    "text": "20% hoje", "rate_per_minute": 1}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert admin_api.post(f"/api/v1/campaigns/{pk}/pause/").status_code == 400
    started = admin_api.post(f"/api/v1/campaigns/{pk}/start/")
    assert started.status_code == 200 and started.json()["status"] == "running"
    # Starting sends the first slot at once; the next is a minute later.
    assert Message.objects.filter(metadata__campaign_id=pk).count() == 1
    assert admin_api.post(f"/api/v1/campaigns/{pk}/pause/").json()["status"] == "paused"
    assert campaigns.send_due(pk) == 0
    assert admin_api.post(f"/api/v1/campaigns/{pk}/resume/").json()["status"] == "running"
    assert campaigns.send_due(pk) == 1
    recipients = admin_api.get(f"/api/v1/campaigns/{pk}/recipients/").json()["results"]
    assert sorted(r["status"] for r in recipients) == ["queued", "queued", "queued"]
    assert admin_api.get(f"/api/v1/campaigns/{pk}/recipients/?status=bogus").status_code == 400
    assert admin_api.post(f"/api/v1/campaigns/{pk}/cancel/").json()["status"] == "cancelled"
    detail = admin_api.get(f"/api/v1/campaigns/{pk}/").json()
    assert detail["report"]["skipped_by_reason"] == {"cancelled": 1}
    assert detail["report"]["total"]["queued"] == 2
    assert admin_api.post(f"/api/v1/campaigns/{pk}/schedule/", {"scheduled_at": "tomorrow"},
                          format="json").status_code == 400


def test_a_scheduled_campaign_starts_when_its_time_comes(sms, clock):
    customer_with_phone("+5511999990001")
    campaign = sms_campaign(sms, scheduled_at=START + timedelta(hours=1))
    assert campaigns.start_due() == []
    clock.shift(timedelta(hours=1))
    assert campaigns.start_due() == [campaign.pk]
    assert campaigns.send_due(campaign.pk) == 1


def test_the_console_pages_are_for_admins_and_the_panel_shows_consent(admin_user, make_agent, client, sms, clock):
    customer = customer_with_phone("+5511999990001", granted=("sms",))
    campaign = sms_campaign(sms)
    client.force_login(admin_user)
    for url in ("/marketing/segments/", "/marketing/campaigns/", f"/marketing/campaigns/{campaign.pk}/"):
        assert client.get(url).status_code == 200, url
    panel = client.get(f"/conversations/{customer.conversation.pk}/").content.decode()
    assert 'data-consent="sms-marketing-granted"' in panel
    assert 'href="/marketing/campaigns/"' in panel
    client.force_login(make_agent("ana"))
    assert client.get("/marketing/campaigns/").status_code == 403
    assert 'href="/marketing/campaigns/"' not in client.get("/").content.decode()


def test_a_web_chat_campaign_waits_in_the_widget_and_is_never_emailed(team, mail, clock):
    from channels_adapters.setup import create_channel
    from channels_adapters.webchat.tasks import email_unseen_reply

    webchat = create_channel("webchat", "Site chat", {"allowed_origins": ["https://shop.example"],
                                                      "hmac_secret": "s" * 32}, team=team)
    visitor = write(webchat, "visitor-1", "Oi", kind="webchat").conversation.customer
    Identity.objects.create(customer=visitor, kind="email", address="visitor@example.com", verified=True)
    segment = create_segment("Site visitors", "dynamic", {"channel": "webchat"})
    campaign = campaigns.create("Frete grátis", segment, webchat, text="Frete grátis hoje!")
    campaigns.start(campaign.pk)
    assert campaigns.send_due(campaign.pk) == 1
    message = Message.objects.get(metadata__campaign_id=campaign.pk)
    assert message.channel == webchat and message.identity.kind == "webchat"
    email_unseen_reply(message.pk)
    assert not Message.objects.filter(channel=mail, direction="outbound").exists()
