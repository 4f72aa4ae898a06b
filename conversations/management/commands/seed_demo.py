"""Demo data for a first look: idempotent, goes through the same ingest path as real traffic."""
import os
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from channels_adapters.setup import create_channel
from channels_adapters.types import InboundMessage, Sender
from conversations.actions.customers import add_identity
from conversations.actions.ingest import ingest_message
from conversations.models import AgentProfile, Channel, Team

DEMO_PASSWORD = "omnidesk-demo"
AGENTS = [
    # username, name, role, teams
    ("admin", "Admin", AgentProfile.Role.ADMIN, ["Suporte", "Vendas"]),
    ("carla", "Carla Supervisora", AgentProfile.Role.SUPERVISOR, ["Suporte", "Vendas"]),
    ("ana", "Ana Souza", AgentProfile.Role.AGENT, ["Suporte"]),
    ("bruno", "Bruno Lima", AgentProfile.Role.AGENT, ["Vendas"]),
]
# Channels of the demo: (name, kind, team).
CHANNELS = [
    ("WhatsApp Loja", "twilio_whatsapp", "Suporte"),
    ("SMS Loja", "twilio_sms", "Suporte"),
    ("E-mail suporte", "email", "Suporte"),
    ("Integração marketplace", "api", "Vendas"),
    ("Chat do site", "webchat", "Suporte"),
]
CONVERSATIONS = [
    ("Maria Oliveira", [
        ("WhatsApp Loja", "phone", "+55 11 99999-0001", "Oi! Meu pedido 4512 ainda não chegou.", 180),
        ("E-mail suporte", "email", "Maria.Oliveira@example.com", "Segue a nota fiscal do pedido 4512.", 120),
        ("WhatsApp Loja", "phone", "+5511999990001", "Conseguiram ver o e-mail?", 30),
    ]),
    ("João Pereira", [
        ("SMS Loja", "phone", "+351 912 345 678", "Bom dia, posso trocar o tamanho da camisola?", 240),
        ("E-mail suporte", "email", "joao.pereira@example.pt", "Enviei as fotos por e-mail.", 90),
    ]),
    ("Lucía Fernández", [
        ("WhatsApp Loja", "phone", "+34 612 345 678", "Hola, ¿hacen envíos a Madrid?", 60),
        ("WhatsApp Loja", "phone", "+34612345678", "¿Cuánto cuesta el envío?", 55),
    ]),
    ("Seller 7781", [
        ("Integração marketplace", "external", "seller-7781", "Order 99812: customer asks for an invoice.", 15),
    ]),
]


# An approved WhatsApp template, so the demo shows what agents send once the 24-hour window has closed.
DEMO_TEMPLATES = [{
    "name": "retomar_atendimento", "language": "pt_BR", "variables": ["1"],
    "body": "Olá {{1}}! Podemos continuar o seu atendimento?", "content_sid": "HX" + "0" * 32,
}]


def demo_config(kind):
    """A harmless configuration for a demo channel of `kind` (its adapter validates it)."""
    secret = "demo-secret-not-for-production"
    twilio = {"account_sid": "AC" + "0" * 32, "auth_token": secret, "from_number": "+15005550006"}
    return {
        "api": {"secret": secret},
        "twilio_sms": twilio,
        "twilio_whatsapp": {**twilio, "templates": DEMO_TEMPLATES},
        "email": {"address": "suporte@loja.example", "inbound_secret": secret},
        # The demo shop page (/demo/shop/) is served by OmniDesk itself.
        "webchat": {
            "allowed_origins": sorted({settings.PUBLIC_BASE_URL, "http://127.0.0.1:8000", "http://localhost:8000"}),
            "hmac_secret": secret,
            "welcome_text": {"en": "Hi! How can we help?", "pt-BR": "Olá! Como podemos ajudar?",
                             "es": "¡Hola! ¿Cómo podemos ayudar?"},
            "prechat_fields": ["name"],
        },
    }[kind]


# Set to 1 (or pass --allow-production-database) to load the demo into a DATABASE_URL database anyway.
ALLOW_ENV = "OMNIDESK_DEMO_ALLOW_PRODUCTION"


class Command(BaseCommand):
    help = ("Load demo teams, agents, channels and cross-channel conversations (safe to run again). Embedded mode "
            "only, unless asked explicitly: the demo agents share a published password.")

    def add_arguments(self, parser):
        parser.add_argument("--allow-production-database", action="store_true",
                            help=f"Load the demo although DATABASE_URL is set (or set {ALLOW_ENV}=1).")

    def handle(self, *args, allow_production_database=False, **options):
        allowed = allow_production_database or os.environ.get(ALLOW_ENV, "") == "1"
        if settings.DATABASE_URL and not allowed:
            raise CommandError(
                f"Refusing to load the demo: DATABASE_URL is set, so this is not the embedded mode, and the demo "
                f"creates agents (admin, carla, ana, bruno) whose password '{DEMO_PASSWORD}' is published. Start "
                f"without demo data with `make serve`, or load it anyway with --allow-production-database "
                f"(or {ALLOW_ENV}=1).")
        self._load()

    @transaction.atomic
    def _load(self):
        teams = {name: Team.objects.get_or_create(name=name)[0] for name in ("Suporte", "Vendas")}
        User = get_user_model()
        for username, name, role, team_names in AGENTS:
            user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@loja.example"})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = role == AgentProfile.Role.ADMIN
                user.save()
            profile, _ = AgentProfile.objects.get_or_create(user=user, defaults={"name": name, "role": role})
            profile.teams.set([teams[t] for t in team_names])

        channels = {}
        for name, kind, team_name in CHANNELS:
            channel = Channel.objects.filter(name=name).first()
            if channel is None:
                channel = create_channel(kind, name, demo_config(kind), team=teams[team_name])
            channels[name] = channel

        now = timezone.now()
        created = 0
        for customer_index, (customer_name, lines) in enumerate(CONVERSATIONS):
            for line_index, (channel_name, identity_kind, address, text, minutes_ago) in enumerate(lines):
                result = ingest_message(
                    channels[channel_name],
                    InboundMessage(
                        external_id=f"demo-{customer_index}-{line_index}",
                        sender=Sender(kind=identity_kind, address=address, name=customer_name),
                        text=text,
                        sent_at=now - timedelta(minutes=minutes_ago),
                    ),
                )
                created += result.created
                # The customer's other addresses are known to the shop: record them so
                # every channel joins the same conversation.
                for _channel, other_kind, other_address, _text, _ago in lines[1:]:
                    add_identity(result.message.conversation.customer, other_kind, other_address, verified=True)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new messages)."))
        self.stdout.write(
            f"Log in at http://127.0.0.1:8000/ as admin / {DEMO_PASSWORD} "
            f"(also carla = supervisor, ana = agent of Suporte, bruno = agent of Vendas; same password)."
        )
        if settings.WEBCHAT_DEMO_PAGE:
            self.stdout.write("Try the web chat as a shopper at http://127.0.0.1:8000/demo/shop/")
