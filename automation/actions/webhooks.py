"""Outgoing webhooks: subscriptions, the deliveries an event makes, each attempt, replays, auto-disable.

Delivery is at least once: a receiver dedupes on the X-OmniDesk-Delivery header.
"""
import json
import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations.actions.errors import ActionError
from conversations.visibility import is_admin

from .. import listened_events
from ..models import WEBHOOK_EVENTS, WebhookAttempt, WebhookDelivery, WebhookSubscription
from ..signing import signed_headers
from ..targets import TargetRefused, check_target

logger = logging.getLogger(__name__)

EVENT_NAMES = frozenset(name for name, _label in WEBHOOK_EVENTS)
SUBSCRIBED_EVENTS_CACHE_KEY = "automation.webhook-subscribed-events"
REDIRECT_CODES = {301, 302, 303, 307, 308}
USER_AGENT = "OmniDesk-Webhooks/1.0"


def _check_admin(actor):
    if not is_admin(actor):
        raise ActionError(_("Only admins may manage webhooks."))


def _clean(name, url, events):
    name = (name or "").strip()
    if not name:
        raise ActionError(_("Give the webhook a name."), field="name")
    events = list(dict.fromkeys(events or []))
    unknown = [event for event in events if event not in EVENT_NAMES]
    if unknown or not events:
        raise ActionError(_("Choose one or more of: %(events)s.") % {"events": ", ".join(sorted(EVENT_NAMES))},
                          field="events")
    try:
        check_target(url)
    except TargetRefused as exc:
        raise ActionError(str(exc), field="url") from exc
    return name[:120], url, events


def _forget_subscribed_events():
    listened_events.forget(SUBSCRIBED_EVENTS_CACHE_KEY)


def create_subscription(actor, name, url, events):
    """A new active subscription and its secret (shown once: it is stored encrypted)."""
    _check_admin(actor)
    name, url, events = _clean(name, url, events)
    secret = secrets.token_urlsafe(32)
    subscription = WebhookSubscription(name=name, url=url, events=events, created_by=actor)
    subscription.secret = secret
    subscription.save()
    _forget_subscribed_events()
    return subscription, secret


def update_subscription(actor, subscription, name=None, url=None, events=None, active=None):
    """Change a subscription; turning it on again clears the failure count that disabled it."""
    _check_admin(actor)
    subscription.name, subscription.url, subscription.events = _clean(
        subscription.name if name is None else name,
        subscription.url if url is None else url,
        subscription.events if events is None else events,
    )
    if active is not None and active != subscription.active:
        subscription.active = active
        if active:
            subscription.consecutive_failures = 0
            subscription.disabled_at = None
            subscription.disabled_reason = ""
    subscription.save()
    _forget_subscribed_events()
    return subscription


def delete_subscription(actor, subscription):
    _check_admin(actor)
    subscription.delete()
    _forget_subscribed_events()


def subscribed_events():
    """The event names some active subscription wants (cached: this is asked on every committed event)."""
    return listened_events.read(SUBSCRIBED_EVENTS_CACHE_KEY, lambda: sorted({
        event for events in WebhookSubscription.objects.filter(active=True).values_list("events", flat=True)
        for event in events
    }))


def _enqueue(delivery_ids):
    from ..tasks import deliver_webhook

    for delivery_id in delivery_ids:
        deliver_webhook.delay(str(delivery_id))


def record_event(event, event_id, payload):
    """One pending delivery per active subscription to `event`; each is sent after commit.

    `payload` is the JSON body's payload, or a function that builds it (called only when someone listens).
    """
    if event not in EVENT_NAMES or event not in subscribed_events():
        return []
    if callable(payload):
        payload = payload()
    created = []
    with transaction.atomic():
        for subscription in WebhookSubscription.objects.filter(active=True):
            if event not in subscription.events:
                continue
            try:
                with transaction.atomic():
                    created.append(WebhookDelivery.objects.create(
                        subscription=subscription, event_id=event_id[:64], event=event, payload=payload
                    ).pk)
            except IntegrityError:
                continue  # this event was recorded for this subscription already
        transaction.on_commit(lambda: _enqueue(created))
    return created


def replay_delivery(actor, delivery):
    """Send a past delivery's payload again, as a new delivery that points at the original."""
    _check_admin(actor)
    if not delivery.subscription.active:
        raise ActionError(_("Turn the webhook on before replaying a delivery."))
    replay = WebhookDelivery.objects.create(
        subscription=delivery.subscription, event_id=delivery.event_id, event=delivery.event,
        payload=delivery.payload, replay_of=delivery,
    )
    transaction.on_commit(lambda: _enqueue([replay.pk]))
    return replay


@dataclass(frozen=True)
class AttemptOutcome:
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""
    retryable: bool = False
    retry_after: float | None = None

    @property
    def ok(self):
        return self.status_code is not None and 200 <= self.status_code < 300


def _retry_after(response):
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _post(subscription, delivery):
    body = json.dumps({
        "id": str(delivery.pk), "event": delivery.event, "event_id": delivery.event_id, "payload": delivery.payload,
    }, separators=(",", ":")).encode()
    url = subscription.url
    with httpx.Client(timeout=settings.WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False) as client:
        for _hop in range(settings.WEBHOOK_MAX_REDIRECTS + 1):
            try:
                target = check_target(url)
            except TargetRefused as exc:
                return AttemptOutcome(error=str(exc)[:300])
            headers = signed_headers(subscription.secret, int(time.time()), body, delivery.event, delivery.pk)
            headers.update({"Host": target.host_header, "User-Agent": USER_AGENT})
            try:
                response = client.post(target.pinned_url, content=body, headers=headers,
                                       extensions={"sni_hostname": target.host})
            except httpx.TimeoutException:
                return AttemptOutcome(error="timeout", retryable=True)
            except httpx.HTTPError as exc:
                return AttemptOutcome(error=f"{exc.__class__.__name__}: {exc}"[:300], retryable=True)
            if response.status_code in REDIRECT_CODES and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                continue
            code = response.status_code
            return AttemptOutcome(
                status_code=code, excerpt=response.text[:500],
                retryable=code in (408, 429) or code >= 500, retry_after=_retry_after(response),
            )
    return AttemptOutcome(error="too many redirects")


def backoff_seconds(attempt, retry_after=None):
    delay = min(settings.WEBHOOK_BACKOFF_SECONDS * (2 ** max(attempt - 1, 0)), settings.WEBHOOK_BACKOFF_MAX_SECONDS)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.WEBHOOK_BACKOFF_MAX_SECONDS))
    return delay


def _claim(delivery_id):
    """The due pending delivery, leased to this attempt, or None (done, not due, or taken by another worker)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update().select_related("subscription")
                    .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now).first())
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3 + 30)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        return delivery


def _count_failure(subscription, last_error):
    WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=F("consecutive_failures") + 1)
    subscription.refresh_from_db(fields=["consecutive_failures", "active"])
    if subscription.active and subscription.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        subscription.active = False
        subscription.disabled_at = timezone.now()
        subscription.disabled_reason = last_error[:300]
        subscription.save(update_fields=["active", "disabled_at", "disabled_reason"])
        _forget_subscribed_events()
        logger.warning("webhook %s disabled after %d failed deliveries in a row",
                       subscription.pk, subscription.consecutive_failures)


def attempt_delivery(delivery_id):
    """Try a delivery once; returns the seconds until the next try, or None when it is finished (or not ours)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    subscription = delivery.subscription
    started = time.monotonic()
    if subscription.active:
        outcome = _post(subscription, delivery)
    else:
        outcome = AttemptOutcome(error="the webhook is turned off")
    now = timezone.now()
    error = outcome.error or ("" if outcome.ok else f"HTTP {outcome.status_code}")
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, number=delivery.attempts, status_code=outcome.status_code, error=outcome.error,
            response_excerpt=outcome.excerpt, duration_ms=int((time.monotonic() - started) * 1000), at=now,
        )
        delivery.last_status_code = outcome.status_code
        delivery.last_error = error
        retry_in = None
        if outcome.ok:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.finished_at = now
            WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        elif outcome.retryable and subscription.active and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
            retry_in = backoff_seconds(delivery.attempts, outcome.retry_after)
            delivery.next_attempt_at = now + timedelta(seconds=retry_in)
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.finished_at = now
            _count_failure(subscription, error)
        delivery.save(update_fields=["status", "finished_at", "last_status_code", "last_error", "next_attempt_at"])
    return retry_in


def due_delivery_ids(limit=500):
    """Pending deliveries whose next try is due: the sweep's safety net for retries a worker lost."""
    return list(WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


def deliver_rule_event(subscription_id, rule, conversation, root_event_id):
    """A rule's "send a webhook" action: one delivery of `automation.rule_fired`, sent after commit."""
    subscription = WebhookSubscription.objects.filter(pk=subscription_id, active=True).first()
    if subscription is None:
        raise ActionError(_("The webhook is turned off or was deleted."))
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="automation.rule_fired",
        event_id=f"rule-{rule.pk}-{conversation.pk}-{root_event_id}"[:64],
        payload={"rule": {"id": rule.pk, "name": rule.name}, "conversation": conversation.pk,
                 "customer": conversation.customer_id, "root_event_id": root_event_id},
    )
    transaction.on_commit(lambda: _enqueue([delivery.pk]))
    return delivery
