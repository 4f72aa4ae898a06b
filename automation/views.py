"""Console pages of automation (admins): rules and their builder, outgoing webhooks and their delivery log."""
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.actions.errors import ActionError
from conversations.visibility import is_admin

from .actions import macros, rules, webhooks
from .forms import WebhookSubscriptionForm
from .models import AutomationRule, WebhookAttempt, WebhookDelivery, WebhookSubscription
from .rule_forms import MacroForm, RuleForm

DELIVERIES_PER_PAGE = 25


def deletion_confirmed(request):
    """Deleting needs the confirmation box ticked; without it the page says so and nothing is deleted."""
    if request.POST.get("confirm") == "yes":
        return True
    flash.error(request, _("Tick the box to confirm the deletion."))
    return False


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
    if not deletion_confirmed(request):
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
    rule_conditions, rule_actions = form.rule_conditions(), form.chosen_actions()
    if rule_conditions is None:
        return None
    data = form.cleaned_data
    try:
        return rules.save_rule(request.user, data["name"], data["event"], rule_conditions, rule_actions,
                               team=data["team"], stop_processing=data["stop_processing"], active=data["active"],
                               rule=rule, delay_minutes=data["delay_minutes"],
                               delay_in_business_minutes=data["delay_in_business_minutes"])
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
    editable = RuleForm.represents(rule.actions)
    form = RuleForm((request.POST or None) if editable else None,
                    initial=RuleForm.initial_for(rule) if editable else None)
    if request.method == "POST" and editable and form.is_valid():
        if _save_rule_from(request, form, rule) is not None:
            flash.success(request, _("Rule saved."))
            return redirect("automation:rule", rule.pk)
    dry_run = rules.dry_run(request.user, rule) if request.GET.get("dry_run") else None
    return render(request, "automation/rule_detail.html", {
        "rule": rule, "form": form, "editable": editable, "dry_run": dry_run,
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
    if not deletion_confirmed(request):
        return redirect("automation:rule", rule.pk)
    rules.delete_rule(request.user, rule)
    flash.success(request, _("Rule deleted."))
    return redirect("automation:rules")


@login_required
def macro_list(request):
    form = MacroForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            macros.save_macro(request.user, data["name"], form.chosen_actions(), data["scope"], data["team"])
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            flash.success(request, _("Macro saved."))
            return redirect("automation:macros")
    available = macros.available_to(request.user)
    return render(request, "automation/macros.html", {
        "form": form, "macros": [(macro, macros.may_manage(request.user, macro)) for macro in available],
    })


def _managed_macro(request, pk):
    macro = get_object_or_404(macros.available_to(request.user), pk=pk)
    if not macros.may_manage(request.user, macro):
        raise PermissionDenied
    return macro


@login_required
def macro_edit(request, pk):
    macro = _managed_macro(request, pk)
    form = MacroForm(request.POST or None, initial=MacroForm.initial_for(macro))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            macros.save_macro(request.user, data["name"], form.chosen_actions(), data["scope"], data["team"],
                              macro=macro)
        except ActionError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            flash.success(request, _("Macro saved."))
            return redirect("automation:macros")
    return render(request, "automation/macro_edit.html", {"form": form, "macro": macro})


@require_POST
@login_required
def macro_delete(request, pk):
    macro = _managed_macro(request, pk)
    if not deletion_confirmed(request):
        return redirect("automation:macro", macro.pk)
    macros.delete_macro(request.user, macro)
    flash.success(request, _("Macro deleted."))
    return redirect("automation:macros")


def _chosen_conversations(request):
    return [int(part) for part in request.POST.get("conversations", request.GET.get("conversations", "")).split(",")
            if part.strip().isdigit()][:macros.MAX_BULK]


@login_required
def macro_preview(request, pk):
    """What a macro would do on the chosen conversations, and a button that runs it."""
    macro = get_object_or_404(macros.available_to(request.user), pk=pk)
    conversation_ids = _chosen_conversations(request)
    if not conversation_ids:
        return JsonResponse({"ok": False, "error": _("Choose at least one conversation.")}, status=400)
    preview = macros.preview(request.user, macro, conversation_ids)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"ok": True, "macro": macro.name, "conversations": preview})
    return render(request, "automation/macro_preview.html", {
        "macro": macro, "preview": preview, "conversation_ids": ",".join(str(i) for i in conversation_ids),
        "next": request.GET.get("next", ""),
    })


@require_POST
@login_required
def macro_run(request, pk):
    macro = get_object_or_404(macros.available_to(request.user), pk=pk)
    try:
        results = macros.run(request.user, macro, _chosen_conversations(request))
    except ActionError as exc:
        return JsonResponse({"ok": False, "error": exc.message}, status=400)
    failed = [f"#{result['conversation']}: {result['error']}" for result in results if not result["ok"]]
    if request.headers.get("Accept") == "application/json":
        return JsonResponse({"ok": not failed, "done": len(results) - len(failed), "errors": failed})
    done = len(results) - len(failed)
    flash.success(request, _("Macro %(name)s ran on %(count)d conversation(s).") % {"name": macro.name, "count": done})
    for error in failed:
        flash.error(request, error)
    target = request.POST.get("next", "")
    return redirect(target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
                    else "console:inbox")
