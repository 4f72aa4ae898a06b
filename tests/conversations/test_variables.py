"""The template language of customer-facing texts: a fixed context, defaults, and nothing else reachable."""
import pytest

from conversations import variables
from conversations.models import Conversation, Customer, Identity, Team
from conversations.variables import TemplateProblem


@pytest.fixture
def conversation(db):
    customer = Customer.objects.create(name="Maria Oliveira", attributes={"plan": "Ouro", "vip": True})
    Identity.objects.create(customer=customer, kind="email", address="maria@example.com")
    return Conversation.objects.create(customer=customer, team=Team.objects.create(name="Suporte"), priority="high")


def test_known_variables_are_filled(conversation):
    context = variables.context_for(conversation)
    text = "Olá {{ customer.first_name }} ({{customer.email}}), plano {{ customer.attributes.plan }}, " \
           "conversa #{{ conversation.id }} da equipe {{ team.name }}, prioridade {{ conversation.priority }}."
    assert variables.render(text, context) == (
        f"Olá Maria (maria@example.com), plano Ouro, conversa #{conversation.pk} da equipe Suporte, prioridade High.")


def test_a_default_fills_an_empty_value(conversation):
    conversation.customer.name = ""
    context = variables.context_for(conversation)
    assert variables.render('Olá {{ customer.first_name|default:"cliente" }}!', context) == "Olá cliente!"
    assert variables.render('Tel: {{ customer.phone | default : "não informado" }}', context) == "Tel: não informado"


@pytest.mark.parametrize("text", ["Olá {{ customer.first_name }}!", "{{ customer.phone }}",
                                  "{{ customer.attributes.cpf }}", "{{ agent.name }}"])
def test_an_empty_value_without_a_default_blocks_the_text(conversation, text):
    conversation.customer.name = "   "
    with pytest.raises(TemplateProblem, match="would be empty"):
        variables.render(text, variables.context_for(conversation))


@pytest.mark.parametrize("text", [
    "{{ customer.__class__ }}", "{{ customer.__dict__ }}", "{{ customer._meta }}", "{{ conversation.customer }}",
    "{{ customer.identities }}", "{{ settings.SECRET_KEY }}", "{{ customer.name.__class__.__mro__ }}",
    "{{ customer.name|safe }}", "{{ customer.name|upper }}", "{% load static %}", "{{ customer.name }",
    "{% for x in customer.identities.all %}{{ x }}{% endfor %}", "{{ customer.name|default:'x' }}",
    "{{ lipsum.__globals__ }}", "{{ customer['name'] }}",
])
def test_nothing_outside_the_context_is_reachable(conversation, text):
    with pytest.raises(TemplateProblem):
        variables.check(text)
    with pytest.raises(TemplateProblem):
        variables.render(text, variables.context_for(conversation))


def test_attribute_values_that_are_not_text_stay_out(conversation):
    # A boolean attribute is not a text to insert: it behaves as empty.
    with pytest.raises(TemplateProblem):
        variables.render("{{ customer.attributes.vip }}", variables.context_for(conversation))


def test_unused_variables_cost_no_query(conversation, django_assert_num_queries):
    context = variables.context_for(conversation)
    with django_assert_num_queries(0):
        variables.render("Olá {{ customer.first_name }}", context)
    with django_assert_num_queries(1):
        variables.render("{{ customer.email }} {{ customer.email }}", context)


@pytest.mark.parametrize("text", ["{{" * 25_000, "{{ customer.name" + " " * 50_000 + "|default:\"" + "x" * 50_000,
                                  "{{" + "a." * 25_000 + "}", "}}{{" * 12_500])
def test_a_pathological_text_is_checked_in_linear_time(conversation, text):
    # Issue 20's bound for expressions on user input: 50 KB in well under 100 ms (generous for a shared CI box).
    import time

    started = time.monotonic()
    with pytest.raises(TemplateProblem):
        variables.check(text)
    assert time.monotonic() - started < 0.1
