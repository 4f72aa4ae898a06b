from django.core.management import call_command

from conversations.models import Channel, Conversation


def test_the_demo_loads_twice_with_twilio_channels_and_a_whatsapp_template(db):
    call_command("seed_demo")
    call_command("seed_demo")
    whatsapp = Channel.objects.get(kind="twilio_whatsapp")
    assert Channel.objects.filter(kind="twilio_sms").count() == 1
    assert [t["name"] for t in whatsapp.config["templates"]] == ["retomar_atendimento"]
    assert Conversation.objects.count() == 4
