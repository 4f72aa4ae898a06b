"""Console pages for outgoing webhooks (admins): subscriptions, their delivery log, replay."""
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.actions.errors import ActionError
from conversations.visibility import is_admin

from .actions import webhooks
from .forms import WebhookSubscriptionForm
from .models import WebhookAttempt, WebhookDelivery, WebhookSubscription

DELIVERIES_PER_PAGE = 25


def admin_only(view):
    @login_required
    def checked(request, *args, **kwargs):
        if not is_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


@admin_only
def subscription_list(request):
    form = WebhookSubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription, secret = webhooks.create_subscription(request.user, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            flash.success(request, _("Webhook saved. Its signing secret, shown only now: %(secret)s")
                          % {"secret": secret})
            return redirect("automation:webhook", subscription.pk)
    return render(request, "automation/webhooks.html", {
        "form": form, "subscriptions": WebhookSubscription.objects.all(),
    })


@admin_only
def subscription_detail(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    form = WebhookSubscriptionForm(request.POST or None, initial={
        "name": subscription.name, "url": subscription.url, "events": subscription.events})
    if request.method == "POST" and form.is_valid():
        try:
            webhooks.update_subscription(request.user, subscription, **form.cleaned_data)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            flash.success(request, _("Webhook saved."))
            return redirect("automation:webhook", subscription.pk)
    deliveries = subscription.deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "automation/webhook_detail.html", {
        "subscription": subscription, "form": form, "page": page,
    })


@require_POST
@admin_only
def subscription_toggle(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    webhooks.update_subscription(request.user, subscription, active=not subscription.active)
    flash.success(request, _("Webhook turned on.") if subscription.active else _("Webhook turned off."))
    return redirect("automation:webhook", subscription.pk)


@require_POST
@admin_only
def subscription_delete(request, pk):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    if request.POST.get("confirm") != "yes":
        flash.error(request, _("Tick the box to confirm the deletion."))
        return redirect("automation:webhook", subscription.pk)
    webhooks.delete_subscription(request.user, subscription)
    flash.success(request, _("Webhook deleted, with its delivery log."))
    return redirect("automation:webhooks")


@require_POST
@admin_only
def delivery_replay(request, pk):
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("subscription"), pk=pk)
    try:
        webhooks.replay_delivery(request.user, delivery)
    except ActionError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, _("Delivery queued again."))
    return redirect("automation:webhook", delivery.subscription_id)
