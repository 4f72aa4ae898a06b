import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from conversations.models import Channel, Conversation


@pytest.fixture(autouse=True)
def embedded_mode(settings):
    """The demo is for the embedded mode; these tests load it there, whatever database the suite runs on."""
    settings.DATABASE_URL = ""


def test_outside_the_embedded_mode_the_demo_refuses_clearly(db, settings, monkeypatch):
    settings.DATABASE_URL = "postgres://omnidesk@db.example.com/omnidesk"
    monkeypatch.delenv("OMNIDESK_DEMO_ALLOW_PRODUCTION", raising=False)
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo")
    assert "DATABASE_URL is set" in str(refused.value) and "--allow-production-database" in str(refused.value)
    assert not get_user_model().objects.exists() and not Channel.objects.exists()


def test_outside_the_embedded_mode_the_demo_loads_when_asked_explicitly(db, settings, monkeypatch):
    settings.DATABASE_URL = "postgres://omnidesk@db.example.com/omnidesk"
    call_command("seed_demo", allow_production_database=True)
    assert get_user_model().objects.filter(username="admin").exists()
    monkeypatch.setenv("OMNIDESK_DEMO_ALLOW_PRODUCTION", "1")
    call_command("seed_demo")
    assert Conversation.objects.count() == 4


def test_the_demo_loads_twice_with_twilio_channels_and_a_whatsapp_template(db):
    call_command("seed_demo")
    call_command("seed_demo")
    whatsapp = Channel.objects.get(kind="twilio_whatsapp")
    assert Channel.objects.filter(kind="twilio_sms").count() == 1
    assert [t["name"] for t in whatsapp.config["templates"]] == ["retomar_atendimento"]
    assert Conversation.objects.count() == 4


def test_the_demo_has_a_web_chat_and_a_shop_page_embedding_it(db, client, settings):
    settings.WEBCHAT_DEMO_PAGE = True
    call_command("seed_demo")
    channel = Channel.objects.get(kind="webchat")
    response = client.get("/demo/shop/")
    assert response.status_code == 200
    assert f'data-omnidesk-channel="{channel.pk}"' in response.content.decode()
    assert "hmac_secret" not in response.content.decode()


def test_the_shop_page_says_so_when_there_is_no_web_chat(db, client, settings):
    settings.WEBCHAT_DEMO_PAGE = True
    assert client.get("/demo/shop/").status_code == 404


def test_the_shop_page_is_off_in_production(db, client, settings):
    settings.WEBCHAT_DEMO_PAGE = False
    call_command("seed_demo")
    assert client.get("/demo/shop/").status_code == 404
