"""Teams, agents and channels: the organisation's set-up."""
import zoneinfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import AgentProfile, Channel, Team
from ..signals import agent_access_changed, channel_created
from .errors import ActionError


def create_team(name):
    name = (name or "").strip()
    if not name:
        raise ActionError("A team needs a name.", field="name")
    if Team.objects.filter(name__iexact=name).exists():
        raise ActionError("A team with this name exists already.", field="name")
    return Team.objects.create(name=name)


@transaction.atomic
def create_agent(username, password, email="", name="", role=AgentProfile.Role.AGENT, teams=()):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ActionError("This username is taken.", field="username")
    if role not in AgentProfile.Role.values:
        raise ActionError("Unknown role.", field="role")
    user = User(username=username, email=email, is_staff=role == AgentProfile.Role.ADMIN)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ActionError(" ".join(exc.messages), field="password") from exc
    user.set_password(password)
    user.save()
    profile = AgentProfile.objects.create(user=user, name=name, role=role)
    profile.teams.set(teams)
    return user


@transaction.atomic
def update_agent(user, name=None, role=None, teams=None, is_active=None):
    profile, _ = AgentProfile.objects.get_or_create(user=user)
    before = _access(user, profile)
    if name is not None:
        profile.name = name
    if role is not None:
        if role not in AgentProfile.Role.values:
            raise ActionError("Unknown role.", field="role")
        profile.role = role
        user.is_staff = role == AgentProfile.Role.ADMIN
    if is_active is not None:
        user.is_active = is_active
    user.save()
    profile.save()
    if teams is not None:
        profile.teams.set(teams)
    if _access(user, profile) != before:
        announce_access_change(user)
    return user


def _access(user, profile):
    """What decides what an agent may see (conversations/visibility.py)."""
    return user.is_active, profile.sees_everything, frozenset(profile.teams.values_list("id", flat=True))


def announce_access_change(user):
    """Once committed, the agent's open consoles must drop what they may no longer see (or close)."""
    transaction.on_commit(lambda: agent_access_changed.send(sender=AgentProfile, user_id=user.pk))


@transaction.atomic
def create_channel(kind, name, config, team=None):
    """`config` must already be validated by the channel kind's adapter."""
    channel = Channel(kind=kind, name=name.strip(), team=team)
    channel.config = config
    channel.save()
    transaction.on_commit(lambda: channel_created.send(sender=Channel, channel_id=channel.pk))
    return channel


@transaction.atomic
def update_channel(channel, name=None, team=..., config=None, active=None):
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if name is not None:
        channel.name = name.strip()
    if team is not ...:
        channel.team = team
    if config is not None:
        channel.config = config
    if active is not None:
        channel.active = active
    channel.save()
    return channel


def update_preferences(user, language, time_zone):
    """The agent's console language and time zone ("" = from the browser)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ActionError(_("Unknown language."), field="language")
    if time_zone and time_zone not in zoneinfo.available_timezones():
        raise ActionError(_("Unknown time zone."), field="time_zone")
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    profile.language, profile.time_zone = language, time_zone
    profile.save(update_fields=["language", "time_zone"])
    return profile
