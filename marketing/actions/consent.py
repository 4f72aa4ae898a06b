"""The consent ledger: entries are appended, never changed; the latest per (identity, channel, purpose) rules."""
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.models import Identity

from ..families import FAMILIES
from ..models import Consent
from . import segments


def check_consent(identity, channel, purpose, state, source, evidence):
    if channel not in FAMILIES:
        raise ActionError(_("Unknown channel %(channel)s.") % {"channel": channel}, field="channel")
    if purpose not in Consent.Purpose.values:
        raise ActionError(_("The purpose is service or marketing."), field="purpose")
    if state not in Consent.State.values:
        raise ActionError(_("The state is granted or revoked."), field="state")
    if source not in Consent.Source.values:
        raise ActionError(_("Unknown consent source %(source)s.") % {"source": source}, field="source")
    if not isinstance(evidence, dict):
        raise ActionError(_("The evidence is an object."), field="evidence")
    if identity.customer.merged_into_id:
        raise ActionError(_("This customer was merged into another."), field="identity")


@transaction.atomic
def record(identity, channel, purpose, state, source, evidence=None, by=None, at=None):
    """Append one ledger entry; returns it."""
    identity = Identity.objects.select_related("customer").get(pk=identity.pk)
    evidence = {} if evidence is None else evidence
    check_consent(identity, channel, purpose, state, source, evidence)
    entry = Consent.objects.create(
        customer_id=identity.customer_id, identity=identity, channel=channel, purpose=purpose, state=state,
        source=source, evidence=evidence, recorded_by=by, recorded_at=at or timezone.now())
    # Segments on consent ("may be sent WhatsApp offers") follow at once, not at the next full recompute.
    segments.refresh_after_commit(identity.customer_id)
    return entry


def latest(identity, channel, purpose):
    """The entry that decides (identity, channel, purpose) now, or None when nobody ever said."""
    return Consent.objects.filter(identity=identity, channel=channel, purpose=purpose).order_by(
        "-recorded_at", "-id").first()


def is_granted(identity, channel, purpose=Consent.Purpose.MARKETING):
    entry = latest(identity, channel, purpose)
    return entry is not None and entry.state == Consent.State.GRANTED


def current_entries(queryset=None):
    """Entries no later entry for the same key overrides: the current state of every key."""
    queryset = Consent.objects.all() if queryset is None else queryset
    later = Consent.objects.filter(
        Q(recorded_at__gt=OuterRef("recorded_at")) | Q(recorded_at=OuterRef("recorded_at"), id__gt=OuterRef("id")),
        identity=OuterRef("identity"), channel=OuterRef("channel"), purpose=OuterRef("purpose"))
    return queryset.filter(~Exists(later))


def granted_for_customer(customer_ref, channel, purpose=Consent.Purpose.MARKETING):
    """An Exists() true when one of the customer's identities currently grants `purpose` on `channel`."""
    return Exists(current_entries(Consent.objects.filter(
        customer=customer_ref, channel=channel, purpose=purpose, state=Consent.State.GRANTED)))
