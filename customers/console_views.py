"""Console pages of the customer layer: the panel fragment, export and erasure (admins)."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from conversations.models import Conversation, Customer
from conversations.visibility import is_admin, visible_conversations

from . import export
from .actions import privacy


def _visible_customer(user, pk):
    return get_object_or_404(Customer.objects.filter(pk__in=visible_conversations(user).values("customer_id")), pk=pk)


@login_required
def panel_fragment(request, pk):
    """The Customer 360 sections alone, for a conversation the agent may see."""
    conversation = get_object_or_404(visible_conversations(request.user, Conversation.objects.select_related(
        "customer")), pk=pk)
    return render(request, "customers/console_fragment.html", {"conversation": conversation})


@login_required
def export_customer(request, pk, kind):
    if not is_admin(request.user):
        raise PermissionDenied
    if kind not in ("json", "csv"):
        raise Http404
    customer = _visible_customer(request.user, pk)
    data = export.collect(customer)
    body, content_type = (export.as_csv(data), "text/csv; charset=utf-8") if kind == "csv" else (
        export.as_json(data), "application/json")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.{kind}"'
    return response


@login_required
@require_POST
def erase_customer(request, pk):
    if not is_admin(request.user):
        return JsonResponse({"ok": False, "error": "Only admins may erase a customer."}, status=403)
    record = privacy.erase_customer(_visible_customer(request.user, pk), request.user)
    return JsonResponse({"ok": True, "erasure": record.pk, "next": reverse("console:inbox")})
