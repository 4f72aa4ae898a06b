"""The baseline of the ingest figure: the least a signed webhook receiver can do on the same server."""
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.stack import BASELINE_TABLE
from channels_adapters.base import SignatureError, verify_omnidesk_signature
from channels_adapters.types import RawRequest
from conversations.models import Channel


@csrf_exempt
@require_POST
def signed_insert(request, channel_id):
    """Check the channel's HMAC like the api adapter does, insert one row, answer 200."""
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        return JsonResponse({"error": "Unknown channel."}, status=404)
    body = request.body
    try:
        verify_omnidesk_signature(RawRequest(body=body, headers=dict(request.headers)), channel.config["secret"])
    except SignatureError:
        return JsonResponse({"error": "Signature check failed."}, status=403)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BASELINE_TABLE} (channel_id, body) VALUES (%s, %s)", [channel.pk, body])
    return HttpResponse(status=200)
