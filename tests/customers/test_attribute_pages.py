"""The console's page of typed attributes: admins define, edit and (after confirming) delete them."""
import pytest
from bs4 import BeautifulSoup
from django.test import Client

from customers.actions import attributes
from customers.models import AttributeDefinition, AttributeValue

pytestmark = pytest.mark.django_db

PAGE = "/settings/attributes/"


@pytest.fixture
def admin(make_agent):
    browser = Client()
    browser.force_login(make_agent("rosa", role="admin"))
    return browser


def _html(answer):
    return BeautifulSoup(answer.content, "html.parser")


def test_an_empty_registry_says_so_and_an_admin_defines_an_attribute(admin):
    page = _html(admin.get(PAGE))
    assert page.select_one("[data-empty]") is not None
    answer = admin.post(PAGE, {"key": "shoe_size", "label": "Shoe size", "type": "number",
                               "writable_by_agents": "on", "writable_by_api": "on"})
    assert answer.status_code == 302
    definition = AttributeDefinition.objects.get()
    assert (definition.key, definition.label, definition.type, definition.writable_by_widget) == (
        "shoe_size", "Shoe size", "number", False)
    page = _html(admin.get(PAGE))
    assert page.select_one("[data-key=shoe_size]") is not None and page.select_one("[data-empty]") is None
    assert "Attribute shoe_size defined." in page.text


@pytest.mark.parametrize("data, field", [
    ({"key": "Shoe Size", "label": "x", "type": "number"}, "key"),
    ({"key": "email", "label": "x", "type": "text"}, "key"),
    ({"key": "plan", "label": "Plan", "type": "list", "options": ""}, "options"),
    ({"key": "size", "label": "x", "type": "number", "options": "S\nM"}, "options"),
    ({"key": "ltv", "label": "x", "type": "currency", "currency": "reais"}, "currency"),
    ({"key": "size", "label": "x", "type": "colour"}, "type"),
])
def test_bad_definitions_are_refused_with_the_reason_and_nothing_stored(admin, data, field):
    answer = admin.post(PAGE, data)
    assert answer.status_code == 400
    assert _html(answer).select_one(f"#id_{field}").find_previous("ul", class_="errorlist") is not None
    assert not AttributeDefinition.objects.exists()


def test_a_list_keeps_its_options_and_its_label_options_and_writers_change(admin):
    assert admin.post(PAGE, {"key": "plan", "label": "Plan", "type": "list", "options": "Free\n Pro \n\nPro\nTeam",
                             "writable_by_api": "on"}).status_code == 302
    definition = AttributeDefinition.objects.get()
    assert definition.options == ["Free", "Pro", "Team"]
    edit = f"{PAGE}{definition.pk}/"
    form = _html(admin.get(edit))
    assert form.select_one("textarea[name=options]").text.split() == ["Free", "Pro", "Team"]
    assert admin.post(edit, {"label": "Subscription", "options": "Free\nPro\nTeam\nEnterprise",
                             "writable_by_widget": "on"}).status_code == 302
    definition.refresh_from_db()
    assert definition.label == "Subscription" and definition.options[-1] == "Enterprise"
    assert (definition.writable_by_agents, definition.writable_by_api, definition.writable_by_widget) == (
        False, False, True)
    assert admin.post(edit, {"label": "Subscription", "options": ""}).status_code == 400
    definition.refresh_from_db()
    assert len(definition.options) == 4


def test_deleting_asks_first_and_keeps_the_values_free_form(admin, write_in):
    definition = attributes.define_attribute("shoe_size", "number", "Shoe size")
    customer = write_in()
    attributes.set_attributes(customer, {"shoe_size": 42})
    path = f"{PAGE}{definition.pk}/delete/"
    confirm = _html(admin.get(path))
    assert "1 customer has a value for it." in " ".join(confirm.select_one("[data-values]").text.split())
    assert AttributeDefinition.objects.exists()
    assert admin.post(path).status_code == 302
    assert not AttributeDefinition.objects.exists() and not AttributeValue.objects.exists()
    customer.refresh_from_db()
    assert customer.attributes["shoe_size"] == 42
    # No longer typed: any value is accepted.
    attributes.set_attributes(customer, {"shoe_size": "forty-two"})


def test_only_admins_manage_attributes(make_agent, team):
    definition = attributes.define_attribute("vip", "boolean", "VIP")
    for role in ("agent", "supervisor"):
        browser = Client()
        browser.force_login(make_agent(f"someone-{role}", role=role, teams=[team]))
        for path in (PAGE, f"{PAGE}{definition.pk}/", f"{PAGE}{definition.pk}/delete/"):
            assert browser.get(path).status_code == 403
            assert browser.post(path, {"key": "x", "label": "x", "type": "text"}).status_code == 403
    assert AttributeDefinition.objects.get().label == "VIP"


def test_the_page_speaks_the_agents_language(make_agent):
    browser = Client(headers={"accept-language": "pt-BR"})
    browser.force_login(make_agent("rosa", role="admin"))
    attributes.define_attribute("vip", "boolean", "VIP")
    page = browser.get(PAGE).content.decode()
    assert "Atributos do cliente" in page and "Sim / não" in page
