"""Saving and removing inbox views (filter combinations): personal, or shared with a team."""
from django.db import transaction
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.models import Team
from conversations.visibility import sees_everything, team_ids

from ..models import SavedView

MAX_VIEWS_PER_AGENT = 50


def check_team(user, team):
    if team is not None and not sees_everything(user) and team.pk not in team_ids(user):
        raise ActionError(_("You can only share a view with a team you belong to."), field="team")


@transaction.atomic
def save_view(user, name, filters, team=None):
    """A new view named `name` of these (already validated) filters; shared with `team` when given."""
    name = (name or "").strip()
    if not name:
        raise ActionError(_("Give the view a name."), field="name")
    if not isinstance(team, Team | None):
        raise ActionError(_("Unknown team."), field="team")
    check_team(user, team)
    if SavedView.objects.filter(created_by=user).count() >= MAX_VIEWS_PER_AGENT:
        raise ActionError(_("You have saved too many views; remove one first."))
    return SavedView.objects.create(name=name[:60], owner=None if team else user, team=team, filters=filters,
                                    created_by=user)


def may_remove(user, view):
    return view.owner_id == user.pk or (view.team_id is not None and (
        view.created_by_id == user.pk or sees_everything(user)))


@transaction.atomic
def remove_view(user, view):
    if not may_remove(user, view):
        raise ActionError(_("Only its author or a supervisor can remove a team's view."))
    view.delete()
