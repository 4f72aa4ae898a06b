"""What we write to a customer is in the customer's language, whatever language the agent works in."""
from django.test import Client
from django.urls import reverse
from django.utils import translation

from channels_adapters.types import InboundMessage, Sender
from conversations.actions.assignment import update_conversation
from conversations.actions.csat import send_csat_link
from conversations.actions.ingest import ingest_message
from conversations.csat_links import csat_token
from conversations.models import Conversation


def resolved_conversation(channel, agent, language):
    conversation = ingest_message(channel, InboundMessage("in-1", Sender("phone", "+5511988887777"), "Oi")).message.conversation
    conversation.customer.language = language
    conversation.customer.save()
    update_conversation(conversation, agent, status=Conversation.Status.RESOLVED)
    return Conversation.objects.select_related("customer").get(pk=conversation.pk)


def test_the_csat_link_and_its_page_speak_the_customers_language(make_api_channel, admin_user):
    conversation = resolved_conversation(make_api_channel(), admin_user, "es")
    with translation.override("pt-br"):  # the agent's console language
        message = send_csat_link(conversation, admin_user)
    assert message.text.startswith("¿Qué tal lo hicimos?")
    cycle = conversation.cycles.get()
    with translation.override("en"):  # the request activates its language; not for the tests after this one
        page = Client(headers={"accept-language": "pt-BR"}).get(reverse("csat", args=[csat_token(cycle)]))
    assert page.status_code == 200 and 'lang="es"' in page.content.decode()


def test_an_unknown_language_writes_in_the_sites_language(make_api_channel, admin_user):
    conversation = resolved_conversation(make_api_channel(), admin_user, "")
    with translation.override("es"):
        message = send_csat_link(conversation, admin_user)
    assert message.text.startswith("How did we do?")
