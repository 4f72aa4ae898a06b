"""Background work of the customer layer: ids in, idempotent (recomputations from the facts)."""
from celery import shared_task

from conversations.models import Customer


@shared_task(name="customers.journey_after_message")
def journey_after_message(customer_id):
    """A message can only make a visitor or lead a prospect, or someone a participant: mostly nothing to do."""
    from .actions import journey
    from .models import Journey

    settled = Journey.objects.filter(customer_id=customer_id).exclude(stage__in=["visitor", "lead"]).filter(
        profile_class__in=["participant", "influencer"]).exists()
    if not settled and Customer.objects.filter(pk=customer_id).exists():
        journey.recompute(customer_id)


@shared_task(name="customers.refresh_after_merge")
def refresh_after_merge(source_id, target_id):
    from .actions import attributes, journey

    for customer in Customer.objects.filter(pk__in=[source_id, target_id]):
        attributes.sync_typed_values(customer)
        journey.recompute(customer.pk)


@shared_task(name="customers.sweep_journeys")
def sweep_journeys():
    """Stages that decay with time alone (at risk, lost, a repeat customer's window)."""
    from .actions import journey

    for customer_id in journey.stale_journeys().iterator(chunk_size=500):
        journey.recompute(customer_id)


@shared_task(name="customers.compute_rfm")
def compute_rfm():
    from . import rfm

    return rfm.compute()


@shared_task(name="customers.compute_product_pairs")
def compute_product_pairs():
    from . import recommendations

    return recommendations.compute_pairs()


@shared_task(name="customers.apply_retention")
def apply_retention():
    from .actions import retention

    return retention.apply()


@shared_task(name="customers.copy_existing_values")
def copy_existing_values(definition_id):
    from .actions import attributes
    from .models import AttributeDefinition

    definition = AttributeDefinition.objects.filter(pk=definition_id).first()
    return attributes.copy_existing_values(definition) if definition else 0
