"""Assignment, team, status, priority and labels of a conversation, each recorded in the audit trail."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import causes, events
from ..models import Conversation, ConversationCycle, ConversationEvent, Label
from ..signals import conversation_changed, conversation_resolved
from ..visibility import display_name
from .errors import ActionError

MAX_LABELS = 20
MAX_LABEL_LENGTH = 60


def _audit(conversation, actor, kind, **data):
    ConversationEvent.objects.create(conversation=conversation, actor=actor, kind=kind, data=data)


def announce_change(conversation_id, changed, actor_id=None):
    """Tell the layers (routing, automation) what changed, once it is committed.

    The cause (conversations.causes) is taken now, while the change is made, not when it is sent.
    """
    changed, cause = frozenset(changed), causes.current()
    transaction.on_commit(lambda: conversation_changed.send(
        sender=Conversation, conversation_id=conversation_id, changed=changed, actor_id=actor_id, cause=cause))


def _clean_labels(labels):
    if not isinstance(labels, (list, tuple)):
        raise ActionError(_("Labels must be a list of names."), field="labels")
    names = []
    for label in labels:
        name = str(label).strip().lower()
        if not name or len(name) > MAX_LABEL_LENGTH:
            raise ActionError(_("A label is 1 to %(max)d characters.") % {"max": MAX_LABEL_LENGTH}, field="labels")
        if name not in names:
            names.append(name)
    if len(names) > MAX_LABELS:
        raise ActionError(_("At most %(max)d labels.") % {"max": MAX_LABELS}, field="labels")
    return names


@transaction.atomic
def update_conversation(conversation, actor, **changes):
    """Apply any of status, snoozed_until, assignee, team, priority, labels; return the conversation.

    `assignee` and `team` are model instances or None. Unchanged values record nothing.
    """
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    previous_team_id, previous_assignee_id = conversation.team_id, conversation.assignee_id
    now = timezone.now()
    changed = set()

    if "assignee" in changes and changes["assignee"] != conversation.assignee:
        assignee = changes["assignee"]
        if assignee is not None and not assignee.is_active:
            raise ActionError(_("This agent is deactivated."), field="assignee")
        conversation.assignee = assignee
        _audit(conversation, actor, ConversationEvent.Kind.ASSIGNED,
               assignee=assignee.pk if assignee else None,
               assignee_name=display_name(assignee) if assignee else "")
        changed.add("assignee")

    if "team" in changes and changes["team"] != conversation.team:
        team = changes["team"]
        conversation.team = team
        _audit(conversation, actor, ConversationEvent.Kind.TEAM_CHANGED, team=team.pk if team else None,
               team_name=team.name if team else "")
        changed.add("team")

    if "priority" in changes and changes["priority"] != conversation.priority:
        if changes["priority"] not in Conversation.Priority.values:
            raise ActionError(_("Unknown priority."), field="priority")
        _audit(conversation, actor, ConversationEvent.Kind.PRIORITY_CHANGED, old=conversation.priority,
               new=changes["priority"])
        conversation.priority = changes["priority"]
        changed.add("priority")

    if "status" in changes:
        if _change_status(conversation, actor, changes["status"], changes.get("snoozed_until"), now):
            changed.add("status")

    if "labels" in changes:
        names = _clean_labels(changes["labels"])
        current = sorted(conversation.labels.values_list("name", flat=True))
        if sorted(names) != current:
            labels = [Label.objects.get_or_create(name=name)[0] for name in names]
            conversation.labels.set(labels)
            _audit(conversation, actor, ConversationEvent.Kind.LABELS_CHANGED, old=current, new=sorted(names))
            changed.add("labels")

    if changed:
        conversation.updated_at = now
        conversation.save()
        events.conversation_changed(conversation, previous_team_id, previous_assignee_id)
        announce_change(conversation.pk, changed, actor.pk if actor else None)
    return conversation


def _change_status(conversation, actor, status, snoozed_until, now):
    if status not in Conversation.Status.values:
        raise ActionError(_("Unknown status."), field="status")
    if status == Conversation.Status.SNOOZED:
        if snoozed_until is None or snoozed_until <= now:
            raise ActionError(_("Snoozing needs a time in the future."), field="snoozed_until")
    if status == conversation.status and snoozed_until == conversation.snoozed_until:
        return False
    _audit(conversation, actor, ConversationEvent.Kind.STATUS_CHANGED, old=conversation.status, new=status,
           snoozed_until=snoozed_until.isoformat() if snoozed_until else None)
    open_cycles = ConversationCycle.objects.filter(conversation=conversation, resolved_at__isnull=True)
    if status == Conversation.Status.RESOLVED:
        open_cycles.update(resolved_at=now)
        conversation.waiting_since = None
        conversation_id, actor_id = conversation.pk, actor.pk if actor else None
        transaction.on_commit(lambda: conversation_resolved.send(
            sender=Conversation, conversation_id=conversation_id, actor_id=actor_id))
    elif not open_cycles.exists():
        ConversationCycle.objects.create(conversation=conversation, opened_at=now)
    conversation.status = status
    conversation.snoozed_until = snoozed_until if status == Conversation.Status.SNOOZED else None
    return True


def wake_snoozed(now=None):
    """Reopen every conversation whose snooze time has passed; returns how many."""
    now = now or timezone.now()
    due = Conversation.objects.filter(status=Conversation.Status.SNOOZED, snoozed_until__lte=now)
    woken = 0
    for conversation in due:
        with transaction.atomic():
            locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
            if locked.status != Conversation.Status.SNOOZED or locked.snoozed_until > now:
                continue
            ConversationEvent.objects.create(conversation=locked, kind=ConversationEvent.Kind.STATUS_CHANGED,
                                             data={"old": "snoozed", "new": "open", "reason": "snooze ended"})
            locked.status = Conversation.Status.OPEN
            locked.snoozed_until = None
            locked.waiting_since = locked.waiting_since or now
            locked.updated_at = now
            locked.save()
            events.conversation_changed(locked)
            announce_change(locked.pk, {"status"})
            woken += 1
    return woken
