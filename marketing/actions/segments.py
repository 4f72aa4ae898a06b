"""Segments: save (checked), preview, keep dynamic memberships current, snapshot static ones."""
import csv
import io

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.addresses import InvalidAddress, normalise_address
from conversations.models import Customer, Identity

from ..models import Segment, SegmentMember
from ..segments import SegmentError, compile_definition, matching_customers

PREVIEW_SAMPLE = 20
MAX_CSV_BYTES = 5 * 2**20


def check_definition(definition):
    try:
        compile_definition(definition)
    except SegmentError as exc:
        raise ActionError(f"{exc.path}: {exc.message}", field="definition") from None


def preview(definition, now=None):
    """(count, up to 20 customers) of a definition, without saving anything."""
    try:
        customers = matching_customers(definition, now)
    except SegmentError as exc:
        raise ActionError(f"{exc.path}: {exc.message}", field="definition") from None
    return customers.count(), list(customers.order_by("-last_seen_at", "-id")[:PREVIEW_SAMPLE])


def _check_name(name, instance=None):
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ActionError(_("A segment has a name of at most 120 characters."), field="name")
    if Segment.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        raise ActionError(_("Another segment is called %(name)s.") % {"name": name}, field="name")
    return name


@transaction.atomic
def create(name, kind, definition, by=None):
    name = _check_name(name)
    if kind not in Segment.Kind.values:
        raise ActionError(_("A segment is dynamic or static."), field="kind")
    check_definition(definition)
    segment = Segment.objects.create(name=name, kind=kind, definition=definition, created_by=by)
    return recompute(segment.pk)


@transaction.atomic
def update(segment, name=None, definition=None):
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    if name is not None:
        segment.name = _check_name(name, segment)
    if definition is not None:
        if segment.kind == Segment.Kind.STATIC:
            raise ActionError(_("A static segment is a snapshot; create a new one to change who is in it."),
                              field="definition")
        check_definition(definition)
        segment.definition = definition
    segment.save()
    return recompute(segment.pk) if definition is not None else segment


@transaction.atomic
def recompute(segment_id, now=None):
    """Replace a segment's members with who matches now (a static one only once, when it is created)."""
    segment = Segment.objects.select_for_update().get(pk=segment_id)
    if segment.kind == Segment.Kind.STATIC and segment.computed_at is not None:
        return segment
    now = now or timezone.now()
    if segment.definition:
        matching = set(matching_customers(segment.definition, now).values_list("pk", flat=True))
    else:
        matching = set()
    current = set(SegmentMember.objects.filter(segment=segment).values_list("customer_id", flat=True))
    SegmentMember.objects.filter(segment=segment, customer_id__in=current - matching).delete()
    SegmentMember.objects.bulk_create(
        [SegmentMember(segment=segment, customer_id=pk, added_at=now) for pk in matching - current],
        ignore_conflicts=True, batch_size=2000)
    segment.size = len(matching)
    segment.computed_at = now
    segment.save(update_fields=["size", "computed_at"])
    return segment


# Segments answered together for one customer: one SELECT of this many boolean columns.
SEGMENTS_PER_QUERY = 50


def _references(node):
    """The segment ids a condition tree names ({"segment": id} leaves, however deep)."""
    if isinstance(node, dict):
        found = {node["segment"]} if isinstance(node.get("segment"), int) else set()
        for value in node.values():
            found |= _references(value)
        return found
    if isinstance(node, list):
        return set().union(*(_references(item) for item in node)) if node else set()
    return set()


def _in_dependency_order(segments):
    """Rounds of segments: a segment that names another dynamic one comes in a later round than it (the inner
    segment's membership is read from the table, so it must be current first). A cycle ends in the last round."""
    pending = {segment.pk: segment for segment in segments}
    refs = {pk: _references(segment.definition) & set(pending) - {pk} for pk, segment in pending.items()}
    rounds, done = [], set()
    while pending:
        ready = [segment for pk, segment in pending.items() if refs[pk] <= done] or list(pending.values())
        rounds.append(ready)
        for segment in ready:
            done.add(segment.pk)
            del pending[segment.pk]
    return rounds


def refresh_customer(customer_id, now=None):
    """Re-check one changed customer against every dynamic segment (a message, an event, an order, an attribute,
    a label, a consent...). The work is bounded whatever the number of segments: one SELECT answers up to
    SEGMENTS_PER_QUERY segments for this customer, then one insert, one delete and one recount of the sizes that
    changed. Returns the ids of the segments the customer joined or left."""
    now = now or timezone.now()
    dynamic = []
    for segment in Segment.objects.filter(kind=Segment.Kind.DYNAMIC).exclude(definition={}).only("pk", "definition"):
        try:
            segment.condition = compile_definition(segment.definition, now)
        except SegmentError:
            continue
        dynamic.append(segment)
    changed = set()
    with transaction.atomic():
        current = set(SegmentMember.objects.filter(customer_id=customer_id, segment__in=[s.pk for s in dynamic])
                      .values_list("segment_id", flat=True))
        for round_ in _in_dependency_order(dynamic):
            for start in range(0, len(round_), SEGMENTS_PER_QUERY):
                batch = round_[start:start + SEGMENTS_PER_QUERY]
                answers = Customer.objects.filter(pk=customer_id, merged_into=None).annotate(**{
                    f"s{segment.pk}": ExpressionWrapper(segment.condition, output_field=BooleanField())
                    for segment in batch}).values(*(f"s{segment.pk}" for segment in batch)).first() or {}
                matching = {segment.pk for segment in batch if answers.get(f"s{segment.pk}")}
                asked = {segment.pk for segment in batch}
                joined, left = matching - current, (current & asked) - matching
                SegmentMember.objects.bulk_create([SegmentMember(segment_id=pk, customer_id=customer_id, added_at=now)
                                                   for pk in joined], ignore_conflicts=True)
                if left:
                    SegmentMember.objects.filter(customer_id=customer_id, segment_id__in=left).delete()
                current = (current - left) | joined
                changed |= joined | left
    if changed:
        # Counted again rather than +1/-1: a full recompute running at the same time cannot make it drift.
        Segment.objects.filter(pk__in=changed).update(size=Coalesce(Subquery(
            SegmentMember.objects.filter(segment=OuterRef("pk")).order_by().values("segment")
            .annotate(n=Count("pk")).values("n")[:1]), 0))
    return changed


def refresh_after_commit(customer_id):
    """Refresh the customer's dynamic segments once the current transaction has committed (on a worker)."""
    from .. import tasks

    transaction.on_commit(lambda: tasks.refresh_customer.delay(customer_id))


def _customers_from_csv(upload):
    """Customers named in a CSV by an email, phone or customer_id column; (ids, unknown rows)."""
    raw = upload.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise ActionError(_("The CSV file is larger than 5 MB."), field="file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActionError(_("The CSV file is not UTF-8 text."), field="file") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not columns & {"email", "phone", "customer_id"}:
        raise ActionError(_("The CSV needs an email, phone or customer_id column."), field="file")
    ids, unknown = set(), 0
    for row in reader:
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        customer_id = _row_customer(row)
        if customer_id is None:
            unknown += 1
        else:
            ids.add(customer_id)
    return ids, unknown


def _row_customer(row):
    if row.get("customer_id", "").isdigit():
        return Customer.objects.filter(pk=int(row["customer_id"]), merged_into=None).values_list(
            "pk", flat=True).first()
    for kind in ("email", "phone"):
        if row.get(kind):
            try:
                address = normalise_address(kind, row[kind])
            except InvalidAddress:
                continue
            found = Identity.objects.filter(kind=kind, address=address).values_list("customer_id", flat=True).first()
            if found:
                return found
    return None


@transaction.atomic
def create_static_from_csv(name, upload, by=None):
    """A static segment of the customers a CSV names (nobody is created); returns (segment, unknown rows)."""
    name = _check_name(name)
    ids, unknown = _customers_from_csv(upload)
    now = timezone.now()
    segment = Segment.objects.create(name=name, kind=Segment.Kind.STATIC, created_by=by, size=len(ids),
                                     computed_at=now)
    SegmentMember.objects.bulk_create([SegmentMember(segment=segment, customer_id=pk, added_at=now) for pk in ids],
                                      batch_size=2000)
    return segment, unknown
