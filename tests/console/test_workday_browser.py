"""A working day at the keyboard and on a phone: shortcuts, the command palette, saved views, the phone layout."""
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversations.actions.assignment import update_conversation
from conversations.models import Conversation
from routing.actions import sla
from routing.models import SlaClock, SlaPolicy, SlaTarget

from ..conftest import api_message
from .conftest import post_webhook, wait_live

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def desk(live_server_url, make_api_channel, team, make_agent):
    channel = make_api_channel("WhatsApp Loja", team=team)
    ana = make_agent("ana", teams=[team])
    for number, name, text in (("1", "Maria Oliveira", "Cadê meu pedido?"), ("2", "João Souza", "Quero trocar o tamanho"),
                               ("3", "Carla Dias", "Nota fiscal, por favor")):
        post_webhook(live_server_url, channel, api_message(f"wa-{number}", f"+55119999900{number}", text, name=name))
    return {"channel": channel, "ana": ana}


def test_shortcuts_move_open_assign_and_resolve(sign_in, desk):
    page = sign_in("ana", "/?view=teams")
    first, second = page.locator("#inbox .row").nth(0), page.locator("#inbox .row").nth(1)
    page.keyboard.press("j")
    expect(first).to_have_class(lambda_class("cursor"))
    page.keyboard.press("j")
    expect(second).to_have_class(lambda_class("cursor"))
    name = second.locator(".name").inner_text()
    page.keyboard.press("o")
    page.wait_for_url("**/conversations/**")
    wait_live(page)
    expect(page.locator("#conversation-header h1")).to_contain_text(name)

    page.keyboard.press("a")
    expect(page.locator("#actions select[name=assignee] option:checked")).to_contain_text("(me)")
    page.keyboard.press("n")
    expect(page.locator("#composer")).to_have_class(lambda_class("note-mode"))
    expect(page.locator("#composer-text")).to_be_focused()
    page.keyboard.type("a j k inside the note")  # letters typed in a field are text, not shortcuts
    expect(page.locator("#composer-text")).to_have_value("a j k inside the note")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    expect(page.locator("#composer")).not_to_have_class(lambda_class("note-mode"))
    page.keyboard.press("Escape")
    page.keyboard.press("e")
    expect(page.locator("#conversation-header .status-pill")).to_contain_text("Resolved")
    conversation = Conversation.objects.get(customer__name=name)
    assert (conversation.status, conversation.assignee) == (Conversation.Status.RESOLVED, desk["ana"])

    page.keyboard.press("/")
    expect(page.locator(".search input[type=search]")).to_be_focused()


def test_the_shortcuts_overlay_speaks_the_agents_language(sign_in, desk):
    page = sign_in("ana", "/", locale="pt-BR")
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Atalhos de teclado")
    expect(dialog).to_contain_text("Próxima conversa")
    expect(dialog).to_contain_text("Paleta de comandos")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)


def test_the_palette_jumps_to_a_customer_a_view_and_runs_an_action(sign_in, desk):
    page = sign_in("ana", "/?view=teams")
    page.keyboard.press("Control+k")
    palette = page.get_by_role("combobox", name="Command palette")
    expect(palette).to_be_focused()
    palette.fill("joão")
    expect(page.locator(".palette-option[aria-selected=true]")).to_contain_text("João Souza")
    page.keyboard.press("Enter")
    page.wait_for_url("**/conversations/**")
    wait_live(page)
    expect(page.locator("#conversation-header h1")).to_contain_text("João Souza")

    # An action on the open conversation, found by a word of its name.
    page.keyboard.press("Control+k")
    page.get_by_role("combobox", name="Command palette").fill("resol")
    expect(page.locator(".palette-option[aria-selected=true]")).to_have_text("Resolve")
    page.keyboard.press("Enter")
    expect(page.locator("#conversation-header .status-pill")).to_contain_text("Resolved")

    # A message's words find its conversation; a view is one Enter away.
    page.keyboard.press("Meta+k")
    page.get_by_role("combobox", name="Command palette").fill("nota fiscal")
    expect(page.locator(".palette-option", has_text="Carla Dias")).to_be_visible()
    page.get_by_role("combobox", name="Command palette").fill("unassig")
    expect(page.locator(".palette-option[aria-selected=true]")).to_contain_text("Unassigned")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?view=unassigned*")


def test_a_saved_view_counts_live(live_server_url, sign_in, desk):
    page = sign_in("ana", "/?view=teams")
    page.select_option("#filters select[name=assignee]", "none")
    page.wait_for_url("**assignee=none*")
    page.click(".save-view summary")
    page.fill("#save-view input[name=name]", "Nobody on it")
    page.click("#save-view button[type=submit]")
    page.wait_for_url("**view=saved-*")
    saved = page.locator("#saved-views a.view", has_text="Nobody on it")
    expect(saved).to_have_class(lambda_class("active"))
    expect(saved.locator(".count")).to_have_text("3")
    wait_live(page)
    post_webhook(live_server_url, desk["channel"], api_message("wa-9", "+5511999990009", "Oi", name="Nova Cliente"))
    expect(saved.locator(".count")).to_have_text("4")
    expect(page.locator("#inbox .row", has_text="Nova Cliente")).to_be_visible()


def test_the_phone_layout_goes_list_then_conversation_then_customer_drawer(sign_in, desk):
    page = sign_in("ana", "/?view=teams", viewport=PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    rows = page.locator("#inbox .row")
    expect(rows).to_have_count(3)
    assert rows.first.bounding_box()["width"] > PHONE["width"] * 0.9  # the list is the screen

    rows.filter(has_text="Maria Oliveira").locator("a").click()
    page.wait_for_url("**/conversations/**")
    wait_live(page)
    expect(page.locator("#inbox")).to_be_hidden()
    expect(page.locator("#composer-text")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    panel = page.locator("#customer-panel")
    expect(panel).to_be_hidden()

    page.get_by_role("button", name="Customer").click()
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_have_text("Maria Oliveira")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    page.get_by_role("link", name="← Conversations").click()
    page.wait_for_url("**/?*view=teams*")
    expect(page.locator("#inbox .row")).to_have_count(3)


def lambda_class(name):
    """A class attribute containing `name` among others."""
    import re

    return re.compile(rf"(^|\s){re.escape(name)}(\s|$)")


def test_the_keyboard_starts_at_a_skip_link_and_focus_is_always_visible(sign_in, desk):
    page = sign_in("ana", "/?view=teams")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    # Then through the top bar and into the sidebar, each focused control outlined.
    for _ in range(6):
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), page.evaluate("document.activeElement.outerHTML")


def test_a_view_of_breached_conversations_is_saved_from_the_sla_filter(sign_in, desk):
    # Urgent conversations are answered within a minute; the one made urgent is checked a minute past its due time.
    policy = SlaPolicy.objects.create(name="Urgent", warn_before_minutes=0)
    SlaTarget.objects.create(policy=policy, metric="first_response", priority="urgent", minutes=1)
    late = Conversation.objects.get(customer__name="João Souza")
    update_conversation(late, desk["ana"], priority=Conversation.Priority.URGENT)
    clock = SlaClock.objects.get(conversation=late)
    SlaClock.objects.filter(pk=clock.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert sla.check_clock(clock.pk)
    page = sign_in("ana", "/?view=teams")
    expect(page.locator("#filters select[name=status]")).to_have_value("open")
    page.select_option("#filters select[name=sla]", "breached")
    page.wait_for_url("**sla=breached*")
    assert "status=open" in page.url
    expect(page.locator("#inbox .row")).to_have_count(1)
    expect(page.locator("#inbox .row")).to_contain_text("João Souza")
    page.click(".save-view summary")
    page.fill("#save-view input[name=name]", "Late")
    page.click("#save-view button[type=submit]")
    page.wait_for_url("**view=saved-*")
    saved = page.locator("#saved-views a.view", has_text="Late")
    expect(saved.locator(".count")).to_have_text("1")
    expect(page.locator("#filters select[name=sla]")).to_have_value("breached")
