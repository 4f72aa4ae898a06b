"""What the inbox lists: the views (Mine, Unassigned, My teams, All, and saved ones), filters, counts, ordering."""
from dataclasses import dataclass

from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from conversations.models import INBOX_ORDER, Conversation, ConversationRead, Message
from conversations.visibility import sees_everything, team_ids
from customers import inbox as journeys
from insights import inbox as moods
from routing import inbox as slas
from routing import summary as routing_summary

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


def saved_views_for(user, scope=None):
    """The agent's own views and those of their teams."""
    teams = scope.team_ids if scope is not None else team_ids(user)
    return SavedView.objects.filter(Q(owner=user) | Q(team_id__in=teams)).select_related("team")


@dataclass(frozen=True)
class Scope:
    """What one agent's inbox may show, read once per request: the views' filters are built from it."""

    user: object
    everything: bool
    team_ids: tuple

    @classmethod
    def of(cls, user):
        if not user.is_authenticated:
            return cls(user, False, ())
        return cls(user, sees_everything(user), tuple(team_ids(user)))

    def view_filter(self, slug):
        """The view as a condition, or None when the user has no such view.

        Each view lies inside what the user may see (conversations.visibility): their own, their
        teams', and for supervisors everything. Written that way, without repeating the visibility
        rule's "my teams OR assigned to me", PostgreSQL reads a view from one index in inbox order.
        """
        if slug.startswith(SAVED_PREFIX):
            # A saved view is its filters over everything the agent may see.
            return Q() if self.everything else Q(team_id__in=self.team_ids) | Q(assignee_id=self.user.pk)
        if slug == "mine":
            return Q(assignee_id=self.user.pk)
        if slug == "unassigned":
            return Q(assignee__isnull=True) if self.everything else Q(assignee__isnull=True, team_id__in=self.team_ids)
        if slug == "teams":
            return Q(team_id__in=self.team_ids)
        if slug == "all" and self.everything:
            return Q()
        return None


def in_view(user, slug, queryset=None, scope=None):
    scope = scope or Scope.of(user)
    queryset = Conversation.objects.all() if queryset is None else queryset
    condition = scope.view_filter(slug) if user.is_authenticated else None
    return queryset.none() if condition is None else queryset.filter(condition)


def filtered(queryset, filters, user=None):
    """Apply the cleaned filters of an InboxFiltersForm (empty values filter nothing).

    No filter can match a conversation twice (one label at a time), so no DISTINCT is needed.
    """
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
        queryset = queryset.filter(assignee_id=user.pk if user is not None else None)
    elif assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif assignee:
        queryset = queryset.filter(assignee_id=int(assignee))
    queryset = journeys.with_stage(queryset, filters.get("stage"))
    queryset = slas.with_sla_state(queryset, filters.get("sla"))
    return moods.with_mood(queryset, filters.get("sentiment"))


def _count_of(queryset):
    """`SELECT count(*)` of `queryset` as a subquery."""
    return Subquery(queryset.order_by().annotate(total=Func(F("pk"), function="COUNT")).values("total"))


def counts(user, filters, saved=(), scope=None):
    """{slug: count}: the built-in views under the current filters, each saved view (view, filters) under its own.

    One round trip, each view counted from its own index (one aggregate over the union of the views would
    read every visible row)."""
    scope = scope or Scope.of(user)
    views = views_for(user) if user.is_authenticated else []
    counted_views = [(view.slug, filters) for view in views] + [(view.slug, view_filters) for view, view_filters in saved]
    # Aliases of our own: a saved view's slug is no column name.
    aliases = {f"view_{index}": slug for index, (slug, _filters) in enumerate(counted_views)}
    counted = (
        Conversation.objects.order_by()
        .annotate(**{alias: _count_of(filtered(in_view(user, slug, scope=scope), view_filters, user))
                     for alias, (slug, view_filters) in zip(aliases, counted_views)})
        .values(*aliases)
        .first()
    ) if counted_views else None
    # No conversation at all: the carrier row is missing, and every view is empty.
    return {slug: (counted or {}).get(alias) or 0 for alias, slug in aliases.items()}


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


def unread_total(user, scope=None):
    """Unread customer messages in the agent's own open conversations (the tab title shows it)."""
    mine = in_view(user, "mine", scope=scope).exclude(status=Conversation.Status.RESOLVED)
    return with_unread(mine, user).aggregate(total=Sum("unread"))["total"] or 0


def rows(user, slug, filters, ids=None, offset=0, scope=None):
    """The inbox rows, longest waiting first (or due soonest), then the latest activity, ready for the row template."""
    queryset = filtered(in_view(user, slug, scope=scope), filters, user)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    sort = filters.get("sort") or moods.WAITING
    order = moods.ordering(sort) or list(INBOX_ORDER)
    by_due = sort == "due"
    if by_due:
        queryset = queryset.annotate(sla_due=routing_summary.earliest_due_subquery())
        order.insert(0, F("sla_due").asc(nulls_last=True))
    queryset = (
        with_unread(queryset, user)
        .select_related("customer", "assignee__agent", "team", "last_message__channel", "sentiment")
        .prefetch_related("labels", routing_summary.active_clocks_prefetch())
        .order_by(*order)
    )
    if ids is None:
        queryset = queryset[offset:offset + PAGE_SIZE]
    found = list(queryset)
    for conversation in found:
        conversation.sorted_by_due = by_due
        conversation.inbox_sort = sort
    return found


def sort_key(conversation):
    """A string that orders rows like `rows` does, so the browser can insert a live row in its place."""
    if getattr(conversation, "sorted_by_due", False):
        due = conversation.sla_due
        prefix = f"0{int(due.timestamp() * 1000):015d}" if due else "1" + "9" * 15
        return prefix + _waiting_key(conversation)
    if getattr(conversation, "inbox_sort", moods.WAITING) != moods.WAITING:
        return moods.sort_key(conversation, _waiting_key(conversation))
    return _waiting_key(conversation)


def _waiting_key(conversation):
    if conversation.waiting_since is not None:
        return f"0{int(conversation.waiting_since.timestamp() * 1000):015d}{10**12 - conversation.pk:012d}"
    last = conversation.last_message_at
    inverted = 10**15 - int(last.timestamp() * 1000) if last else 10**15 - 1
    return f"1{inverted:015d}{10**12 - conversation.pk:012d}"
