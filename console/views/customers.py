"""The customer panel: identities, attributes, past cycles, merges."""
from django.conf import settings
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404

from conversations.actions import calls, customers, merge
from conversations import customer_panel
from conversations.models import ConversationCycle, Customer, CustomerMerge, MergeSuggestion
from conversations.visibility import visible_conversations

from ..actions import csat as console_csat
from ..forms import CustomerForm, IdentityForm
from .base import console_action, done, form_refused, refused, visible_conversation

PAST_CYCLES_SHOWN = 10


def _visible_customer(user, pk):
    return get_object_or_404(
        Customer.objects.filter(pk__in=visible_conversations(user).values("customer_id")), pk=pk
    )


def panel_context(request, conversation):
    """The panel's facts; the customer's identities are read once (prefetched) for the whole page."""
    customer = conversation.customer
    prefetch_related_objects([customer], "identities")
    merged_from = list(customer.merged_from.values_list("pk", flat=True))
    pending = list(merge.pending_claims(customer))
    suggestions = list(merge.merge_suggestions(customer, pending))
    # Only customers the agent may see are suggested: a merge shows one history to the other's agents.
    visible = set(visible_conversations(request.user).filter(customer__in=[s.pk for s in suggestions])
                  .values_list("customer_id", flat=True)) if suggestions else set()
    claims = {claim.candidate_id if claim.customer_id == customer.pk else claim.customer_id: claim
              for claim in pending}
    return {
        "conversation": conversation,
        "customer": customer,
        "identities": sorted(customer.identities.all(), key=lambda identity: (identity.kind, identity.address)),
        "attributes_text": "\n".join(f"{key} = {value}" for key, value in (customer.attributes or {}).items()),
        "cycles": ConversationCycle.objects.filter(conversation__customer_id__in=[customer.pk, *merged_from])
        .select_related("opened_on_channel").order_by("-opened_at")[:PAST_CYCLES_SHOWN],
        "suggestions": [(suggestion, claims.get(suggestion.pk)) for suggestion in suggestions
                        if suggestion.pk in visible],
        # What the web chat knows: pages viewed before writing, satisfaction, an unproven sender.
        "touchpoints": customer_panel.touchpoints_before_writing(conversation),
        "ratings": customer_panel.csat_ratings(conversation),
        "csat_askable": console_csat.askable_cycle(conversation) is not None,
        "call_outcomes": list(calls.OUTCOMES.items()),
        "sender_unverified": customer_panel.last_sender_unverified(conversation),
        "merges": CustomerMerge.objects.filter(target=customer, undone_at__isnull=True).select_related(
            "source", "merged_by__agent"),
        "identity_form": IdentityForm(),
        "customer_form": CustomerForm(initial={"name": customer.name}),
        "languages": settings.LANGUAGES,
    }


@console_action
def add_identity(request, pk):
    customer = _visible_customer(request.user, pk)
    form = IdentityForm(request.POST)
    if not form.is_valid():
        return form_refused(form)
    customers.add_identity(customer, form.cleaned_data["kind"], form.cleaned_data["address"])
    return done()


@console_action
def edit(request, pk):
    customer = _visible_customer(request.user, pk)
    form = CustomerForm(request.POST)
    if not form.is_valid():
        return form_refused(form)
    customers.update_customer(customer, name=form.cleaned_data["name"], attributes=form.cleaned_data["attributes"],
                              from_text=True,
                              language=form.cleaned_data["language"] if "language" in request.POST else None)
    return done()


@console_action
def merge_into(request, pk):
    """Merge the customer `source` (posted) into customer `pk`: the agent confirmed it in the page."""
    target = _visible_customer(request.user, pk)
    source_id = request.POST.get("source", "")
    if not source_id.isdigit():
        return refused("source must be a customer id.")
    source = _visible_customer(request.user, int(source_id))
    record = merge.merge_customers(source, target, request.user)
    return done(merge=record.pk, conversation=visible_conversation(request.user, target.conversation.pk).pk)


@console_action
def undo_merge(request, pk):
    record = get_object_or_404(CustomerMerge, pk=pk)
    # Undoing needs the right to see the kept conversation (which holds everything now).
    target_conversation = visible_conversation(request.user, record.target.conversation.pk)
    merge.undo_merge(record, request.user)
    return done(conversation=target_conversation.pk, source_conversation=record.source.conversation.pk)


@console_action
def dismiss_claim(request, pk):
    """The agent looked at an unproven claim and decided the two customers are different people."""
    claim = get_object_or_404(MergeSuggestion, pk=pk)
    _visible_customer(request.user, claim.customer_id)
    customers.dismiss_merge_suggestion(claim, request.user)
    return done()
