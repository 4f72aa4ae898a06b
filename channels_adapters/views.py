"""The one webhook route for every channel kind: POST /webhooks/<channel uuid>/ (GET for handshakes)."""
from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from conversations.actions.inbound_events import record_raw_event
from conversations.downloads import protect, served_type
from conversations.models import Attachment, Channel, Message

from .base import PayloadError, SignatureError
from .media import attachment_id_from_link
from .registry import adapter_for
from .tasks import process_raw_event
from .types import RawRequest


def _error(status, message):
    return JsonResponse({"error": message}, status=status)


def _raw_request(request, body):
    return RawRequest(
        body=body,
        headers=dict(request.headers),
        content_type=request.META.get("CONTENT_TYPE", ""),
        query_string=request.META.get("QUERY_STRING", ""),
        method=request.method,
        path=request.path,
    )


@csrf_exempt
def webhook(request, channel_id):
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        return _error(404, "Unknown channel.")
    if not channel.active:
        return _error(410, "This channel is deactivated.")
    adapter = adapter_for(channel)

    if request.method == "GET":
        return adapter.handshake(_raw_request(request, b""))
    if request.method != "POST":
        return _error(405, "Use POST.")

    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "Invalid Content-Length.")
    if declared > limit:
        return _error(413, f"Body larger than {limit} bytes.")
    try:
        body = request.body
    except RequestDataTooBig:
        return _error(413, f"Body larger than {limit} bytes.")
    if len(body) > limit:
        return _error(413, f"Body larger than {limit} bytes.")

    raw = _raw_request(request, body)
    try:
        adapter.verify(raw)
    except SignatureError as exc:
        return _error(403, f"Signature check failed: {exc}")
    try:
        adapter.validate(raw)
    except PayloadError as exc:
        return _error(400, str(exc))

    # One INSERT in autocommit: the body is stored (committed) before it is queued and before the 200.
    event = record_raw_event(channel, raw)
    process_raw_event.delay(event.pk)
    return adapter.accepted_response()


@require_safe
def outbound_media(request, token, filename):
    """An outbound attachment, for the provider fetching it by the signed link we gave it."""
    try:
        attachment_id = attachment_id_from_link(token)
    except signing.BadSignature:
        raise Http404 from None
    attachment = (
        Attachment.objects.filter(pk=attachment_id, message__direction=Message.Direction.OUTBOUND)
        .exclude(file="")
        .first()
    )
    if attachment is None:
        raise Http404
    # Read whole (outbound files are small, see ATTACHMENT_MAX_BYTES): a file iterator under ASGI
    # would be consumed synchronously anyway.
    with attachment.file.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type=served_type(attachment.content_type))
    response["Content-Disposition"] = content_disposition_header(True, attachment.filename or "attachment")
    return protect(response, cross_origin=True)
