"""What the inbox lists: the views (Mine, Unassigned, My teams, All, and saved ones), filters, counts, ordering."""
from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from conversations.models import Conversation, ConversationRead, Message
from conversations.visibility import sees_everything, team_ids, visible_conversations

from .models import SavedView

PAGE_SIZE = 50


@dataclass(frozen=True)
class View:
    slug: str
    label: str
    supervisors_only: bool = False


VIEWS = [
    View("mine", _("Mine")),
    View("unassigned", _("Unassigned")),
    View("teams", _("My teams")),
    View("all", _("All"), supervisors_only=True),
]
VIEW_SLUGS = [view.slug for view in VIEWS]
SAVED_PREFIX = "saved-"


def views_for(user):
    return [view for view in VIEWS if not view.supervisors_only or sees_everything(user)]


def default_view(user):
    return "all" if sees_everything(user) else "teams"


def saved_views_for(user):
    """The agent's own views and those of their teams."""
    return SavedView.objects.filter(Q(owner=user) | Q(team_id__in=team_ids(user))).select_related("team")


def in_view(user, slug, queryset=None):
    conversations = visible_conversations(user, queryset)
    if slug.startswith(SAVED_PREFIX):
        # A saved view is its filters over everything the agent may see.
        return conversations
    if slug == "mine":
        return conversations.filter(assignee=user)
    if slug == "unassigned":
        return conversations.filter(assignee__isnull=True)
    if slug == "teams":
        return conversations.filter(team_id__in=team_ids(user))
    if slug == "all" and sees_everything(user):
        return conversations
    return conversations.none()


def filtered(queryset, filters, user=None):
    """Apply the cleaned filters of an InboxFiltersForm (empty values filter nothing)."""
    if filters.get("status") and filters["status"] != "all":
        queryset = queryset.filter(status=filters["status"])
    if filters.get("channel"):
        queryset = queryset.filter(last_inbound_channel=filters["channel"])
    if filters.get("label"):
        queryset = queryset.filter(labels=filters["label"])
    if filters.get("team"):
        queryset = queryset.filter(team=filters["team"])
    if filters.get("priority"):
        queryset = queryset.filter(priority=filters["priority"])
    assignee = filters.get("assignee")
    if assignee == "me":
        queryset = queryset.filter(assignee=user)
    elif assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee:
        queryset = queryset.filter(assignee_id=int(assignee))
    return queryset


def counts(user, filters, saved=()):
    """{slug: count}: the built-in views under the current filters, each saved view (view, filters) under its own."""
    found = {view.slug: filtered(in_view(user, view.slug), filters, user).count() for view in views_for(user)}
    for view, view_filters in saved:
        found[view.slug] = filtered(in_view(user, view.slug), view_filters, user).count()
    return found


def with_unread(queryset, user):
    """Annotate `unread`: the customer's messages past the agent's read marker."""
    read_up_to = ConversationRead.objects.filter(user=user, conversation=OuterRef(OuterRef("pk"))).values(
        "last_read_message_id"
    )[:1]
    unread = (
        Message.objects.filter(conversation=OuterRef("pk"), direction=Message.Direction.INBOUND)
        .filter(id__gt=Coalesce(Subquery(read_up_to), Value(0)))
        .order_by()
        .values("conversation")
        .annotate(total=Count("id"))
        .values("total")
    )
    return queryset.annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))


def unread_total(user):
    """Unread customer messages in the agent's own open conversations (the tab title shows it)."""
    mine = in_view(user, "mine").exclude(status=Conversation.Status.RESOLVED)
    return with_unread(mine, user).aggregate(total=Sum("unread"))["total"] or 0


def rows(user, slug, filters, ids=None, offset=0):
    """The inbox rows, longest waiting first (then the latest activity), ready for the row template."""
    queryset = filtered(in_view(user, slug), filters, user)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    queryset = (
        with_unread(queryset, user)
        .select_related("customer", "assignee__agent", "team", "last_message__channel")
        .prefetch_related("labels")
        .order_by(F("waiting_since").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True), "-id")
        .distinct()
    )
    if ids is None:
        queryset = queryset[offset:offset + PAGE_SIZE]
    return list(queryset)


def sort_key(conversation):
    """A string that orders rows like `rows` does, so the browser can insert a live row in its place."""
    if conversation.waiting_since is not None:
        return f"0{int(conversation.waiting_since.timestamp() * 1000):015d}{10**12 - conversation.pk:012d}"
    last = conversation.last_message_at
    inverted = 10**15 - int(last.timestamp() * 1000) if last else 10**15 - 1
    return f"1{inverted:015d}{10**12 - conversation.pk:012d}"
