"""Figure 4's COPY loader: the data it writes must be as consistent as what the app itself would write."""
from django.db.models import Count, F, OuterRef

from bench import loader
from conversations.actions.ingest import ingest_message
from conversations.models import Conversation, ConversationCycle, Customer, Identity, Message, Team
from channels_adapters.registry import adapter_for
from channels_adapters.types import RawRequest
from insights.models import ConversationSentiment
from routing.models import SlaClock

from ..conftest import api_message, signed
from ..services import require_postgres


def test_the_loaded_data_is_consistent_and_the_app_writes_on_top_of_it(transactional_db):
    require_postgres()
    data = loader.load(customers=200, messages=3_000, agents=6, teams=3)

    assert (Customer.objects.count(), Conversation.objects.count(), Message.objects.count()) == (200, 200, 3_000)
    assert Team.objects.count() == 3 and data.agents == 7  # two per team and a supervisor
    assert ConversationCycle.objects.filter(resolved_at__isnull=True).count() == (
        Conversation.objects.exclude(status=Conversation.Status.RESOLVED).count())
    # Every conversation points at its own latest message, every message at its customer's identity.
    latest = Conversation.objects.exclude(last_message=None)
    assert latest.count() == 200
    assert not latest.exclude(last_message__conversation=F("pk")).exists()
    assert not Message.objects.exclude(identity=None).exclude(identity__customer=F("conversation__customer")).exists()
    assert Message.objects.filter(direction=Message.Direction.INBOUND).values("channel").distinct().count() > 1
    most = Message.objects.values("conversation").annotate(n=Count("id")).order_by("-n").first()["n"]
    assert Message.objects.filter(conversation=data.heaviest_conversation).count() == most

    # Moods point at a customer message of their conversation; SLA clocks run on waiting conversations only.
    moods = ConversationSentiment.objects.all()
    assert moods.exists()
    assert not moods.exclude(message_id__in=Message.objects.filter(
        conversation=OuterRef("conversation"), direction=Message.Direction.INBOUND).values("id")).exists()
    clocks = SlaClock.objects.all()
    assert clocks.count() == Conversation.objects.exclude(waiting_since=None).count() > 0
    assert not clocks.exclude(cycle__conversation=F("conversation")).exists()
    assert clocks.exclude(breached_at=None).exists() and clocks.filter(breached_at=None).exists()

    # Sequences were moved past the loaded ids: the one ingest path still works on top.
    channel = Message.objects.filter(channel__kind="api").first().channel
    body, headers = signed(api_message("after-load", "+5511988887777", "Hello after the load"))
    [inbound] = adapter_for(channel).parse(RawRequest(body=body, headers=headers))
    result = ingest_message(channel, inbound)
    assert result.created and result.message.pk > 3_000
    assert Identity.objects.filter(address="+5511988887777").exists()


def test_the_customer_360_data_is_what_the_app_would_have_written(transactional_db):
    require_postgres()
    from django.db.models import Sum

    from customers.actions import journey
    from customers.models import CustomerEvent, CustomerEventCounter, Journey, Order, OrderItem, ProductPair

    data = loader.load(customers=300, messages=3_000, agents=6, teams=3, events=6_000, orders=1_500)
    assert (CustomerEvent.objects.count(), Order.objects.count()) == (6_000, 1_500)
    assert OrderItem.objects.count() >= 1_500 and Journey.objects.count() == 300
    # Counters are the events' own counts, per customer and name.
    assert CustomerEventCounter.objects.aggregate(total=Sum("count"))["total"] == 6_000
    counter = CustomerEventCounter.objects.order_by("-count").first()
    assert CustomerEvent.objects.filter(customer=counter.customer_id, name=counter.name).count() == counter.count
    # A journey recomputed by the app itself agrees with the loaded one.
    for loaded in Journey.objects.filter(paid_orders__gt=0).order_by("customer_id")[:20]:
        recomputed = journey.recompute(loaded.customer_id)
        assert (recomputed.stage, recomputed.paid_orders, recomputed.revenue) == (
            loaded.stage, loaded.paid_orders, loaded.revenue)
    assert data.background["pairs"] == ProductPair.objects.count() > 0
    assert data.background["rfm_scored"] == Journey.objects.exclude(rfm_recency=None).count() > 0
    # Sequences moved past the loaded ids: the events API writes on top.
    from customers.actions.events import record

    [result] = record([{"customer": {"id": 1}, "name": "Product Viewed", "event_id": "after-load"}])
    assert result.created and result.id > 6_000
