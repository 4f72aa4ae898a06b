"""The console's server side: views, counts, bulk actions, composer rules, canned responses, search, merges."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.ingest import ingest_message
from conversations.actions.replies import send_reply
from conversations.models import (
    AgentProfile,
    CannedResponse,
    Conversation,
    ConversationCycle,
    CustomerMerge,
    Message,
    Notification,
)


@pytest.fixture
def desk(make_api_channel, team, other_team, make_agent):
    support = make_api_channel("Support line", team=team)
    sales = make_api_channel("Sales line", team=other_team)
    return {
        "support": support,
        "sales": sales,
        "ana": make_agent("ana", teams=[team]),
        "dora": make_agent("dora", teams=[team]),
        "bruno": make_agent("bruno", teams=[other_team]),
        "carla": make_agent("carla", role=AgentProfile.Role.SUPERVISOR),
    }


def ingest(channel, external_id, address, text="Oi", name="", kind="phone"):
    return ingest_message(channel, InboundMessage(external_id, Sender(kind, address, name), text)).message.conversation


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def rows_of(client, **params):
    return client.get("/inbox/rows/", params).json()


def test_the_inbox_lists_longest_waiting_first_with_counts_per_view(desk):
    first = ingest(desk["support"], "1", "+5511999990001", name="First")
    second = ingest(desk["support"], "2", "+5511999990002", name="Second")
    Conversation.objects.filter(pk=first.pk).update(waiting_since=timezone.now() - timedelta(hours=2))
    ingest(desk["sales"], "3", "+5511999990003", name="Elsewhere")
    ana = client_for(desk["ana"])

    data = rows_of(ana, view="teams")
    assert [row["id"] for row in data["rows"]] == [first.pk, second.pk]
    assert data["counts"] == {"mine": 0, "unassigned": 2, "teams": 2}
    assert "Elsewhere" not in ana.get("/?view=all").content.decode()  # "all" is for supervisors: teams instead
    assert rows_of(client_for(desk["carla"]), view="all")["counts"]["all"] == 3
    assert rows_of(ana, view="teams", ids=str(second.pk)) ["rows"][0]["html"].count("Second") >= 1


def test_rows_requested_by_id_outside_the_view_come_back_missing(desk):
    own = ingest(desk["support"], "1", "+5511999990001")
    foreign = ingest(desk["sales"], "2", "+5511999990002")
    data = rows_of(client_for(desk["ana"]), view="mine", ids=f"{own.pk},{foreign.pk}")
    assert data["rows"] == [] and sorted(data["missing"]) == sorted([own.pk, foreign.pk])


def test_filters_by_status_channel_and_label(desk, make_api_channel, team):
    other_line = make_api_channel("Other line", team=team)
    one = ingest(desk["support"], "1", "+5511999990001")
    ingest(other_line, "2", "+5511999990002")
    ana = client_for(desk["ana"])
    assert [r["id"] for r in rows_of(ana, view="teams", channel=str(desk["support"].pk))["rows"]] == [one.pk]
    ana.post(f"/conversations/{one.pk}/update/", {"labels": "vip"})
    assert [r["id"] for r in rows_of(ana, view="teams", label="vip")["rows"]] == [one.pk]
    ana.post(f"/conversations/{one.pk}/update/", {"status": "resolved"})
    assert [r["id"] for r in rows_of(ana, view="teams", status="resolved")["rows"]] == [one.pk]
    assert one.pk not in [r["id"] for r in rows_of(ana, view="teams")["rows"]]


def test_bulk_actions_change_only_visible_conversations(desk):
    own = [ingest(desk["support"], str(i), f"+551199999000{i}") for i in range(1, 4)]
    foreign = ingest(desk["sales"], "9", "+5511999990009")
    ids = ",".join(str(c.pk) for c in [*own, foreign])
    answer = client_for(desk["ana"]).post("/inbox/bulk/", {"conversations": ids, "assignee": desk["ana"].pk,
                                                           "add_label": "lote"}).json()
    assert answer == {"ok": True, "updated": 3, "errors": []}
    assert set(Conversation.objects.filter(assignee=desk["ana"]).values_list("pk", flat=True)) == {c.pk for c in own}
    assert Conversation.objects.get(pk=foreign.pk).assignee is None
    assert set(Conversation.objects.filter(labels__name="lote").values_list("pk", flat=True)) == {c.pk for c in own}


def test_an_agent_cannot_open_or_act_on_another_teams_conversation(desk):
    foreign = ingest(desk["sales"], "1", "+5511999990001")
    ana = client_for(desk["ana"])
    for url in (f"/conversations/{foreign.pk}/", f"/conversations/{foreign.pk}/sync/"):
        assert ana.get(url).status_code == 404
    assert ana.post(f"/conversations/{foreign.pk}/reply/", {"text": "hi", "private": "1"}).status_code == 404
    assert ana.post(f"/conversations/{foreign.pk}/update/", {"assignee": desk["ana"].pk}).status_code == 404
    assert not Message.objects.filter(direction="note").exists()


def test_notes_with_attachments_and_the_limits(desk, settings):
    conversation = ingest(desk["support"], "1", "+5511999990001")
    ana = client_for(desk["ana"])
    picture = SimpleUploadedFile("foto.png", b"\x89PNG\r\n\x1a\nfake", content_type="image/png")
    answer = ana.post(f"/conversations/{conversation.pk}/reply/", {"text": "", "private": "1",
                                                                  "attachments": [picture]}).json()
    assert answer["ok"] and "foto.png" in answer["item"]["html"]
    note = Message.objects.get(direction="note")
    assert note.attachments.get().content_type == "image/png"

    program = SimpleUploadedFile("setup.exe", b"MZ", content_type="image/png")
    answer = ana.post(f"/conversations/{conversation.pk}/reply/", {"text": "x", "private": "1",
                                                                  "attachments": [program]})
    assert answer.status_code == 400 and "cannot be sent" in answer.json()["error"]
    settings.ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("grande.pdf", b"%PDF" + b"0" * 100, content_type="application/pdf")
    answer = ana.post(f"/conversations/{conversation.pk}/reply/", {"text": "x", "private": "1", "attachments": [big]})
    assert answer.status_code == 400 and "larger than" in answer.json()["error"]
    assert Message.objects.filter(direction="note").count() == 1


def test_a_channel_without_file_support_refuses_attachments(desk):
    conversation = ingest(desk["support"], "1", "+5511999990001")
    document = SimpleUploadedFile("nota.pdf", b"%PDF-1.4", content_type="application/pdf")
    answer = client_for(desk["ana"]).post(f"/conversations/{conversation.pk}/reply/", {
        "text": "segue", "channel": str(desk["support"].pk), "attachments": [document]})
    assert answer.status_code == 400 and "cannot send files" in answer.json()["error"]
    assert not Message.objects.filter(direction="outbound").exists()


def test_a_mention_notifies_agents_who_may_see_the_conversation(desk):
    conversation = ingest(desk["support"], "1", "+5511999990001")
    client_for(desk["ana"]).post(f"/conversations/{conversation.pk}/reply/", {
        "text": "@dora pode ver? @bruno também", "private": "1"})
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["dora"]
    dora = client_for(desk["dora"])
    assert "Ana mentioned you" in dora.get("/notifications/").content.decode()
    dora.post(f"/conversations/{conversation.pk}/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_canned_responses_personal_and_shared_with_variables(desk):
    conversation = ingest(desk["support"], "1", "+5511999990001", name="Maria Oliveira")
    ana, carla = client_for(desk["ana"]), client_for(desk["carla"])
    ana.post("/settings/canned/", {"shortcut": "oi", "title": "Saudação", "text": "Olá {{customer.first_name}}!"})
    refused = ana.post("/settings/canned/", {"shortcut": "tchau", "title": "Fim", "text": "Até", "shared": "on"})
    assert "Only supervisors" in refused.content.decode()
    carla.post("/settings/canned/", {"shortcut": "oi", "title": "Shared", "text": "Bom dia, {{agent.name}} aqui.",
                                     "shared": "on"})
    bad = carla.post("/settings/canned/", {"shortcut": "x", "title": "X", "text": "{{customer.cpf}}"})
    assert "Unknown variable" in bad.content.decode()
    assert CannedResponse.objects.count() == 2

    page = ana.get(f"/conversations/{conversation.pk}/").content.decode()
    # Ana's personal /oi shadows the shared one, expanded for this customer.
    assert '"text": "Ol\\u00e1 Maria!"' in page
    shared = CannedResponse.objects.get(owner=None)
    assert ana.post(f"/settings/canned/{shared.pk}/delete/").status_code == 403


def test_search_finds_customers_by_phone_and_messages_by_text(desk):
    conversation = ingest(desk["support"], "1", "+5511999990001", text="Meu pedido chegou quebrado", name="Maria")
    ingest(desk["sales"], "2", "+5511999990002", text="pedido de outro time", name="Outsider")
    page = client_for(desk["ana"]).get("/search/", {"q": "(11) 99999-0001"}).content.decode()
    assert "Maria" in page
    page = client_for(desk["ana"]).get("/search/", {"q": "quebrado"}).content.decode()
    assert f"/conversations/{conversation.pk}/#message-" in page
    page = client_for(desk["ana"]).get("/search/", {"q": "pedido"}).content.decode()
    assert "Outsider" not in page


def test_merge_from_the_panel_and_undo(desk):
    phone = ingest(desk["support"], "1", "+5511999990001", name="Maria")
    mail = ingest(desk["support"], "2", "maria@example.com", kind="email", name="Maria O.")
    foreign = ingest(desk["sales"], "3", "+5511999990009")
    ana = client_for(desk["ana"])
    ana.post(f"/customers/{phone.customer_id}/edit/", {"name": "Maria", "attributes": "email = maria@example.com"})
    assert "Possible duplicates" in ana.get(f"/conversations/{phone.pk}/").content.decode()

    assert ana.post(f"/customers/{phone.customer_id}/merge/", {"source": foreign.customer_id}).status_code == 404
    answer = ana.post(f"/customers/{phone.customer_id}/merge/", {"source": mail.customer_id}).json()
    assert answer["ok"] and Message.objects.filter(conversation=phone, direction="inbound").count() == 2
    record = CustomerMerge.objects.get()
    assert client_for(desk["bruno"]).post(f"/merges/{record.pk}/undo/").status_code == 404
    assert ana.post(f"/merges/{record.pk}/undo/").json()["ok"]
    assert Message.objects.filter(conversation=mail, direction="inbound").count() == 1


def test_sync_returns_what_changed_since(desk):
    conversation = ingest(desk["support"], "1", "+5511999990001")
    ana = client_for(desk["ana"])
    first = ana.get(f"/conversations/{conversation.pk}/sync/", {"since": timezone.now().isoformat()}).json()
    ingest(desk["support"], "2", "+5511999990001", text="Mais uma coisa")
    later = ana.get(f"/conversations/{conversation.pk}/sync/", {"since": first["synced_at"]}).json()
    assert any("Mais uma coisa" in item["html"] for item in later["items"])
    assert "conversation-header" in later["header"] and "customer-panel" in later["panel"]


def test_the_supervisor_view_counts_and_times(desk):
    conversation = ingest(desk["support"], "1", "+5511999990001")
    ConversationCycle.objects.filter(conversation=conversation).update(opened_at=timezone.now() - timedelta(minutes=5))
    send_reply(conversation, desk["ana"], "Olá!", channel=desk["support"])
    assert client_for(desk["ana"]).get("/supervisor/").status_code == 403
    page = client_for(desk["carla"]).get("/supervisor/").content.decode()
    assert "Support line" in page and "5 minutes" in page


def test_dates_follow_the_agents_time_zone_and_language(desk):
    conversation = ingest(desk["support"], "1", "+5511999990001")
    Message.objects.update(created_at=datetime(2026, 3, 10, 15, 30, tzinfo=UTC))
    profile = desk["ana"].agent
    profile.time_zone, profile.language = "America/Sao_Paulo", "pt-br"
    profile.save()
    page = client_for(desk["ana"]).get(f"/conversations/{conversation.pk}/").content.decode()
    assert "10/03/2026 12:30" in page  # 15:30 UTC is 12:30 in São Paulo, written the Brazilian way
    assert 'lang="pt-br"' in page


def test_long_histories_come_in_pages_with_the_audit_lines_in_place(desk):
    conversation = ingest(desk["support"], "0", "+5511999990001", text="message 0")
    for n in range(1, 45):
        ingest(desk["support"], str(n), "+5511999990001", text=f"message {n}")
        if n == 2:
            client_for(desk["ana"]).post(f"/conversations/{conversation.pk}/update/", {"priority": "high"})
    ana = client_for(desk["ana"])
    page = ana.get(f"/conversations/{conversation.pk}/").content.decode()
    assert "message 44" in page and "message 4<" not in page and "set the priority" not in page
    cursor = re.search(r'data-cursor="([^"]+)"', page).group(1)
    older = ana.get(f"/conversations/{conversation.pk}/older/", {"before": cursor}).json()
    texts = [re.search(r'<div class="text">(.*?)</div>', item["html"]) for item in older["items"]]
    assert [t.group(1) for t in texts if t] == [f"message {n}" for n in range(5)]
    assert any("Ana set the priority to High" in item["html"] for item in older["items"])
    assert older["cursor"] == ""


def test_snoozing_reads_the_time_in_the_agents_time_zone(desk):
    conversation = ingest(desk["support"], "1", "+5511999990001")
    profile = desk["ana"].agent
    profile.time_zone = "America/Sao_Paulo"
    profile.save()
    answer = client_for(desk["ana"]).post(f"/conversations/{conversation.pk}/update/", {
        "status": "snoozed", "snoozed_until": "2099-01-10T09:00"}).json()
    assert answer["ok"]
    conversation.refresh_from_db()
    assert conversation.status == "snoozed"
    assert conversation.snoozed_until == datetime(2099, 1, 10, 12, 0, tzinfo=UTC)
    refused = client_for(desk["ana"]).post(f"/conversations/{conversation.pk}/update/", {
        "status": "snoozed", "snoozed_until": "2001-01-10T09:00"})
    assert refused.status_code == 400 and "future" in refused.json()["error"]


def test_an_unproven_claim_is_suggested_and_can_be_dismissed_or_merged(desk):
    from conversations.actions.customers import claim_address
    from conversations.models import MergeSuggestion

    known = ingest(desk["support"], "1", "maria@example.com", kind="email", name="Maria")
    visitor = ingest(desk["support"], "2", "+5511999990001", name="Visitante")
    claim = claim_address(visitor.customer, "email", "Maria@Example.com", source="webchat_prechat")
    ana = client_for(desk["ana"])
    page = ana.get(f"/conversations/{visitor.pk}/").content.decode()
    assert "Claimed maria@example.com without proving it." in page
    assert "Possible duplicates" in ana.get(f"/conversations/{known.pk}/").content.decode()

    assert ana.post(f"/claims/{claim.pk}/dismiss/").json()["ok"]
    assert MergeSuggestion.objects.get().status == MergeSuggestion.Status.DISMISSED
    assert "without proving it" not in ana.get(f"/conversations/{visitor.pk}/").content.decode()

    MergeSuggestion.objects.update(status=MergeSuggestion.Status.PENDING)
    assert ana.post(f"/customers/{known.customer_id}/merge/", {"source": visitor.customer_id}).json()["ok"]
    assert MergeSuggestion.objects.get().status == MergeSuggestion.Status.MERGED
    assert client_for(desk["bruno"]).post(f"/claims/{claim.pk}/dismiss/").status_code == 404
