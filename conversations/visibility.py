"""Who may see what: the single rule used by the API, the console and the websocket."""
from django.db.models import Q

from .models import AgentProfile, Conversation


def profile_of(user):
    try:
        return user.agent
    except AgentProfile.DoesNotExist:
        return None


def display_name(user):
    """How agents are named in the console and its events."""
    profile = profile_of(user)
    return profile.display_name if profile else (user.get_full_name() or user.get_username())


def sees_everything(user):
    if user.is_superuser:
        return True
    profile = profile_of(user)
    return bool(profile and profile.sees_everything)


def is_admin(user):
    if user.is_superuser:
        return True
    profile = profile_of(user)
    return bool(profile and profile.role == AgentProfile.Role.ADMIN)


def team_ids(user):
    profile = profile_of(user)
    return list(profile.teams.values_list("id", flat=True)) if profile else []


def visible_conversations(user, queryset=None):
    queryset = Conversation.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if sees_everything(user):
        return queryset
    return queryset.filter(Q(team_id__in=team_ids(user)) | Q(assignee_id=user.id))


def can_see_conversation(user, conversation_id):
    return visible_conversations(user).filter(pk=conversation_id).exists()
