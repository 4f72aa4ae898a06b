"""Console pages of automation (admins): rules and their builder, outgoing webhooks and their delivery log."""
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

from .actions import rules, webhooks
from .forms import WebhookSubscriptionForm
from .models import AutomationRule, WebhookAttempt, WebhookDelivery, WebhookSubscription
from .rule_forms import RuleForm

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


def _save_rule_from(request, form, rule=None):
    rule_conditions, rule_actions = form.rule_conditions(), form.rule_actions()
    if rule_conditions is None:
        return None
    data = form.cleaned_data
    try:
        return rules.save_rule(request.user, data["name"], data["event"], rule_conditions, rule_actions,
                               team=data["team"], stop_processing=data["stop_processing"], active=data["active"],
                               rule=rule)
    except ActionError as exc:
        form.add_error(None, exc.message)
        return None


@admin_only
def rule_list(request):
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = _save_rule_from(request, form)
        if rule is not None:
            flash.success(request, _("Rule saved."))
            return redirect("automation:rule", rule.pk)
    return render(request, "automation/rules.html", {
        "form": form, "rules": AutomationRule.objects.select_related("team"),
    })


@admin_only
def rule_detail(request, pk):
    rule = get_object_or_404(AutomationRule, pk=pk)
    form = RuleForm(request.POST or None, initial=RuleForm.initial_for(rule))
    if request.method == "POST" and form.is_valid():
        if _save_rule_from(request, form, rule) is not None:
            flash.success(request, _("Rule saved."))
            return redirect("automation:rule", rule.pk)
    dry_run = rules.dry_run(request.user, rule) if request.GET.get("dry_run") else None
    return render(request, "automation/rule_detail.html", {
        "rule": rule, "form": form, "dry_run": dry_run,
        "dry_run_matches": sum(result["matched"] for result in dry_run or []),
        "evaluations": rule.evaluations.all()[:50],
    })


@require_POST
@admin_only
def rule_move(request, pk):
    rule = get_object_or_404(AutomationRule, pk=pk)
    rules.move_rule(request.user, rule, up=request.POST.get("direction") == "up")
    return redirect("automation:rules")


@require_POST
@admin_only
def rule_delete(request, pk):
    rule = get_object_or_404(AutomationRule, pk=pk)
    if request.POST.get("confirm") != "yes":
        flash.error(request, _("Tick the box to confirm the deletion."))
        return redirect("automation:rule", rule.pk)
    rules.delete_rule(request.user, rule)
    flash.success(request, _("Rule deleted."))
    return redirect("automation:rules")
