"""The one webhook route for every store: POST /stores/<store uuid>/webhook/."""
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_adapters.types import RawRequest

from .actions.deliveries import record_delivery
from .connectors.base import PayloadError, SignatureError
from .models import Store
from .registry import connector_for
from .tasks import process_delivery


def _answer(status, message):
    return JsonResponse({"error": message} if status >= 400 else {"ok": True, "detail": message}, status=status)


@csrf_exempt
@require_POST
def store_webhook(request, store_id):
    store = Store.objects.filter(pk=store_id).first()
    if store is None:
        return _answer(404, "Unknown store.")
    if not store.active:
        return _answer(410, "This store is disconnected.")
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        body = request.body
    except RequestDataTooBig:
        return _answer(413, f"Body larger than {limit} bytes.")
    if len(body) > limit:
        return _answer(413, f"Body larger than {limit} bytes.")
    raw = RawRequest(body=body, headers=dict(request.headers), content_type=request.META.get("CONTENT_TYPE", ""),
                     method=request.method, path=request.path)
    connector = connector_for(store)
    try:
        connector.verify(raw)
        delivery = connector.identify(raw)
    except SignatureError as exc:
        return _answer(403, f"Signature check failed: {exc}")
    except PayloadError as exc:
        return _answer(400, str(exc))
    if delivery.ignored:
        return _answer(200, "Nothing to do with this topic.")
    with transaction.atomic():
        stored, created = record_delivery(store, delivery, raw)
        if created:
            transaction.on_commit(lambda: process_delivery.delay(stored.pk))
    return _answer(200, "Accepted." if created else "Already received.")
