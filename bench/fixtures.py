"""Teams, agents, channels and logged-in sessions made directly in the bench database."""
import json

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore

from channels_adapters.base import signed_headers
from channels_adapters.setup import create_channel
from conversations.models import AgentProfile, Team

API_SECRET = "bench-api-channel-secret-0123456789"
AGENT_PASSWORD = "bench-agent-pass-phrase-1"


def team(name):
    return Team.objects.get_or_create(name=name)[0]


def api_channel(name, channel_team=None):
    return create_channel("api", name, {"secret": API_SECRET}, team=channel_team)


def agents(prefix, count, agent_team, role=AgentProfile.Role.AGENT):
    """`count` agents of `agent_team` (made in bulk: one password hash for all of them)."""
    User = get_user_model()
    password = make_password(AGENT_PASSWORD)
    users = User.objects.bulk_create(
        [User(username=f"{prefix}-{index:05d}", password=password) for index in range(count)]
    )
    profiles = AgentProfile.objects.bulk_create(
        [AgentProfile(user=user, name=user.username, role=role) for user in users]
    )
    AgentProfile.teams.through.objects.bulk_create(
        [AgentProfile.teams.through(agentprofile_id=profile.pk, team_id=agent_team.pk) for profile in profiles]
    )
    return users


def session_key(user):
    """A logged-in session for `user`, as the login view would store it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def session_cookie(key):
    return f"{settings.SESSION_COOKIE_NAME}={key}"


def api_message(external_id, phone, text, name="Bench customer"):
    return {"external_id": external_id, "from": {"kind": "phone", "address": phone, "name": name}, "text": text}


def phone_number(area, index):
    """A valid Brazilian mobile number, distinct per (area, index < 10**8)."""
    return f"+55 {area} 9{index // 10_000:04d}-{index % 10_000:04d}"


def signed(payload, secret=API_SECRET):
    body = json.dumps(payload).encode()
    return body, {"Content-Type": "application/json", **signed_headers(secret, body)}
