"""The consent ledger, opt-out keywords on any channel and WhatsApp's own signals."""
from channels_adapters.meta import errors as meta_errors
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conversations.models import Customer, Message
from marketing.actions import campaigns, consent
from marketing.actions.segments import create as create_segment
from marketing.keywords import is_opt_out
from marketing.models import Consent, Recipient

from .conftest import WHATSAPP_TEMPLATE, customer_with_phone, write

PHONE = "+5511999990001"


def test_the_ledger_appends_and_the_latest_entry_rules(db):
    customer = customer_with_phone(PHONE, granted=("sms",))
    identity = customer.identities.get()
    assert consent.is_granted(identity, "sms")
    consent.record(identity, "sms", "marketing", "revoked", "agent", {"note": "asked by phone"})
    consent.record(identity, "sms", "service", "granted", "form")
    assert not consent.is_granted(identity, "sms")
    assert consent.is_granted(identity, "sms", "service")
    assert Consent.objects.filter(identity=identity).count() == 3
    current = consent.current_entries(Consent.objects.filter(identity=identity))
    assert sorted(current.values_list("purpose", "state")) == [("marketing", "revoked"), ("service", "granted")]


@pytest.mark.parametrize("text", ["SAIR", "sair", " Sair! ", "Descadastrar", "PARE", "parar", "cancelar", "stop",
                                  "Unsubscribe", "baja", "BAJÁ", "dar de baja"])
def test_opt_out_keywords_are_a_whole_message_any_case_without_accents(text):
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["sair amanhã", "STOP PLEASE", "quero sair da lista?", "", "pare de me ligar"])
def test_a_sentence_holding_a_keyword_is_not_an_opt_out(text):
    assert not is_opt_out(text)


def test_sair_revokes_marketing_on_that_channel_confirms_in_portuguese_and_the_next_campaign_skips(
        sms, whatsapp, admin_user, django_capture_on_commit_callbacks):
    customer = customer_with_phone(PHONE)
    message = write(sms, PHONE, "Sair", capture=django_capture_on_commit_callbacks)
    entry = Consent.objects.filter(customer=customer, channel="sms").first()
    assert (entry.state, entry.source, entry.evidence["message_id"]) == ("revoked", "keyword", message.pk)
    # WhatsApp consent is another channel's: untouched.
    assert consent.is_granted(customer.identities.get(), "whatsapp")
    confirmation = Message.objects.get(conversation__customer=customer, direction="outbound")
    assert confirmation.channel == sms
    assert "não receberá mais" in confirmation.text
    segment = create_segment("Todos", "dynamic", {"identity": "phone"})
    campaign = campaigns.create("Black Friday", segment, sms, text="20% off hoje", quiet_start_hour=0,
                                quiet_end_hour=0)
    campaigns.start(campaign.pk)
    recipient = campaign.recipients.get()
    assert (recipient.status, recipient.skip_reason) == ("skipped", "no_consent")


def test_spanish_keyword_confirms_in_spanish(sms, django_capture_on_commit_callbacks):
    customer = customer_with_phone(PHONE)
    write(sms, PHONE, "Baja", capture=django_capture_on_commit_callbacks)
    assert "Ya no recibirás" in Message.objects.get(conversation__customer=customer, direction="outbound").text


def test_the_customers_own_language_wins_over_the_keywords(sms, django_capture_on_commit_callbacks):
    customer = customer_with_phone(PHONE)
    Customer.objects.filter(pk=customer.pk).update(language="es")
    write(sms, PHONE, "STOP", capture=django_capture_on_commit_callbacks)
    assert "Ya no recibirás" in Message.objects.get(conversation__customer=customer, direction="outbound").text


def test_an_ordinary_message_changes_no_consent(sms, django_capture_on_commit_callbacks):
    customer = customer_with_phone(PHONE)
    write(sms, PHONE, "Quero saber do meu pedido", capture=django_capture_on_commit_callbacks)
    assert consent.is_granted(customer.identities.get(), "sms")
    assert not Message.objects.filter(conversation__customer=customer, direction="outbound").exists()


def _whatsapp_recipient(whatsapp, meta_error):
    customer = customer_with_phone(PHONE)
    segment = create_segment("WhatsApp", "dynamic", {"identity": "phone"})
    campaign = campaigns.create("Promo", segment, whatsapp, template=WHATSAPP_TEMPLATE, quiet_start_hour=0,
                                quiet_end_hour=0)
    campaigns.start(campaign.pk)
    assert campaigns.send_due(campaign.pk) == 1
    recipient = campaign.recipients.select_related("message").get()
    # What the WhatsApp Cloud adapter stores for Meta's error object (its code travels as a parameter).
    reason = meta_errors.reason_for("WhatsApp", meta_error)
    Message.objects.filter(pk=recipient.message_id).update(
        status="failed", failure_code=reason.code, failure_params=reason.params, status_changed_at=timezone.now())
    return customer, recipient


def test_whatsapp_stop_promotions_revokes_marketing_for_that_number(whatsapp):
    customer, recipient = _whatsapp_recipient(whatsapp, {"code": 131050, "message": "User has stopped promotions"})
    campaigns.handle_failures()
    entry = Consent.objects.filter(customer=customer, channel="whatsapp").first()
    assert (entry.state, entry.source, entry.evidence["error"]) == ("revoked", "provider", "131050")
    recipient.refresh_from_db()
    assert recipient.opted_out_at is not None
    campaigns.handle_failures()
    assert Consent.objects.filter(customer=customer, channel="whatsapp", source="provider").count() == 1


def test_the_per_user_marketing_cap_is_retried_later_not_an_opt_out(whatsapp):
    customer, recipient = _whatsapp_recipient(whatsapp, {"code": 131049, "message": "Healthy ecosystem engagement"})
    campaigns.handle_failures()
    assert consent.is_granted(customer.identities.get(), "whatsapp")
    assert Message.objects.get(pk=recipient.message_id).status == "failed"
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=1)):
        campaigns.handle_failures()
    assert Message.objects.get(pk=recipient.message_id).status == "queued"
    assert Recipient.objects.get(pk=recipient.pk).retried_at is not None


def test_consents_api_appends_lists_current_and_refuses_bad_input(admin_api, sms):
    customer = customer_with_phone(PHONE, granted=())
    identity = customer.identities.get()
    answer = admin_api.post("/api/v1/consents/", {
        "identity": identity.pk, "channel": "sms", "purpose": "marketing", "state": "granted", "source": "form",
        "evidence": {"form": "newsletter"}}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["recorded_by"] == "root"
    for bad in ({"channel": "fax"}, {"purpose": "spam"}, {"state": "maybe"}, {"evidence": "yes"},
                {"identity": 999999}):
        body = {"identity": identity.pk, "channel": "sms", "purpose": "marketing", "state": "granted",
                "source": "form", **bad}
        assert admin_api.post("/api/v1/consents/", body, format="json").status_code == 400
    assert Consent.objects.count() == 1
    listed = admin_api.get(f"/api/v1/consents/?customer={customer.pk}&current=true").json()
    assert [row["state"] for row in listed["results"]] == ["granted"]
    assert admin_api.get("/api/v1/consents/?customer=x").status_code == 400


def test_an_agent_sees_only_consents_of_customers_their_teams_may_see(make_agent, client_for, sms):
    customer_with_phone(PHONE)
    outsider = make_agent("outsider")
    answer = client_for(outsider).get("/api/v1/consents/")
    assert answer.status_code == 200
    assert answer.json()["results"] == []
