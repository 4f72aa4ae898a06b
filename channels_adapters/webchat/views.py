"""The widget's small HTTP API (/webchat/<channel uuid>/...), the file links and the CSAT page.

Every widget endpoint checks the Origin against the channel's
allowed_origins and answers with CORS headers for that origin only; the
visitor is who its signed token says. No cookies are used.
"""
import base64
import hashlib
import json
import re
import time
from functools import wraps

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from conversations.actions.csat import rate_cycle
from conversations.actions.errors import ActionError
from conversations.csat_links import InvalidCsatLink, cycle_id_of
from conversations.downloads import file_response
from conversations.models import Attachment, Channel, ConversationCycle, CsatRating

from . import errors, limits, tokens, visitors
from .adapter import WIDGET_LANGUAGES, WebchatAdapter, widget_config
from .availability import is_available
from .origins import origin_allowed
from .payloads import attachment_of

MAX_SESSION_BODY_BYTES = 16 * 1024


def _error(status, message, code=errors.INVALID_REQUEST):
    return JsonResponse({"error": message, "code": code}, status=status)


def widget_endpoint(view):
    """Origin check, CORS and preflight for one widget endpoint; the view gets the WidgetChannel."""
    @csrf_exempt
    @wraps(view)
    def wrapper(request, channel_id):
        widget = visitors.webchat_channel(channel_id)
        if widget is None:
            return _error(404, "Unknown or deactivated chat.", errors.UNAVAILABLE)
        origin = request.headers.get("Origin", "")
        if not origin_allowed(origin, widget.config["allowed_origins"]):
            return _error(403, "This site is not allowed to use this chat.", errors.UNAVAILABLE)
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "600"
        elif request.method != "POST":
            response = _error(405, "Use POST.")
        else:
            response = view(request, widget)
        response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
        return response

    return wrapper


def _client_ip(request):
    return request.META.get("REMOTE_ADDR", "unknown")


@widget_endpoint
def session(request, widget):
    """Start or resume the visitor of this page load: token, widget config, and whether agents are there."""
    if not limits.allow("session_ip", _client_ip(request), time.time()):
        return _error(429, "Too many requests; try again in a minute.", errors.RATE_LIMITED)
    data, error = _json_object(request)
    if error is not None:
        return error
    language = data.get("language") if data.get("language") in WIDGET_LANGUAGES else "en"
    try:
        visitor = visitors.start_session(widget, data.get("token"), data.get("user"), data.get("profile"), language)
    except visitors.Refused as exc:
        return _error(400, str(exc), exc.code)
    return JsonResponse({
        "token": tokens.dump(visitor),
        "visitor": visitors.visitor_summary(visitor),
        "config": widget_config(widget.channel, widget.config, language),
        "available": is_available(widget.channel, widget.config, timezone.now()),
    })


def _json_object(request):
    """The body as a JSON object, or an error response."""
    if len(request.body) > MAX_SESSION_BODY_BYTES:
        return None, _error(413, "Request too large.", errors.TOO_LARGE)
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RecursionError):
        return None, _error(400, "The body must be JSON.")
    if not isinstance(data, dict):
        return None, _error(400, "The body must be a JSON object.")
    return data, None


def _verification_call(request, widget, step):
    """Parse a verification call ({token, language, ...}) and answer what `step(visitor, data, language)`
    returns as (JSON, status), in the visitor's language; refusals are 400s."""
    if not limits.allow("verify_ip", _client_ip(request), time.time()):
        return _error(429, "Too many requests; try again later.", errors.RATE_LIMITED)
    data, error = _json_object(request)
    if error is not None:
        return error
    try:
        visitor = tokens.load(data.get("token"), widget.channel.pk)
    except tokens.InvalidToken:
        return _error(401, "Invalid or expired token.", errors.SESSION_EXPIRED)
    language = data.get("language") if data.get("language") in WIDGET_LANGUAGES else "en"
    with translation.override(language):
        try:
            answer, status = step(visitor, data, language)
        except visitors.Refused as exc:
            return _error(400, str(exc), exc.code)
    return JsonResponse(answer, status=status)


@widget_endpoint
def verification_code(request, widget):
    """Send a one-time code to the address the visitor typed: {token, kind: "email" | "phone", language}."""
    return _verification_call(request, widget, lambda visitor, data, language: (
        visitors.request_code(widget, visitor, data.get("kind"), language), 201))


@widget_endpoint
def verification_confirm(request, widget):
    """The code typed back ({token, code, language}): a new token, verified as that address."""
    def confirm(visitor, data, language):
        visitor = visitors.confirm_code(widget, visitor, data.get("code"))
        return {"token": tokens.dump(visitor), "visitor": visitors.visitor_summary(visitor)}, 200

    return _verification_call(request, widget, confirm)


@widget_endpoint
def upload(request, widget):
    """One file from the visitor (multipart: token, client_id, file), sent as a message of its own."""
    try:
        visitor = tokens.load(request.POST.get("token"), widget.channel.pk)
    except tokens.InvalidToken:
        return _error(401, "Invalid or expired token.", errors.SESSION_EXPIRED)
    if not limits.allow_visitor_and_ip("upload", visitor.visitor_id, _client_ip(request), time.time()):
        return _error(429, "Too many files; try again later.", errors.RATE_LIMITED)
    try:
        message = visitors.accept_upload(widget, visitor, request.POST.get("client_id"), request.FILES.get("file"))
    except visitors.Refused as exc:
        return _error(400, str(exc), exc.code)
    return JsonResponse({"message": message}, status=201)


def attachment_file(request, token):
    """A file of the conversation, behind a signed link that only the widget showing it was given."""
    try:
        attachment_id, channel_id = attachment_of(token)
    except signing.BadSignature:
        raise Http404 from None
    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None or not attachment.file:
        raise Http404
    # Images show in the widget on the shop's page; anything else is a download, never a page of ours.
    return file_response(attachment, inline=True, cross_origin=True)


@require_http_methods(["GET", "POST"])
def csat_page(request, token):
    """The rating page a CSAT link opens, whatever channel the link was sent on."""
    try:
        cycle_id = cycle_id_of(token)
    except InvalidCsatLink:
        return render(request, "webchat/csat.html", {"invalid": True}, status=404)
    cycle = ConversationCycle.objects.select_related("conversation__customer").filter(pk=cycle_id).first()
    if cycle is None:
        return render(request, "webchat/csat.html", {"invalid": True}, status=404)
    # The customer's page, in the customer's language (not the agent's, not a stranger's browser).
    with translation.override(cycle.conversation.customer.writing_language):
        return _csat_answer(request, cycle)


def _csat_answer(request, cycle):
    existing = CsatRating.objects.filter(cycle=cycle).first()
    context = {"rating": existing, "ratings": range(1, 6), "error": ""}
    if request.method == "POST":
        if not limits.allow("csat_ip", _client_ip(request), time.time()):
            return HttpResponse("Too many requests; try again later.", status=429, content_type="text/plain")
        try:
            context["rating"] = rate_cycle(cycle.pk, request.POST.get("rating", ""), request.POST.get("comment", ""))
            context["thanks"] = True
        except ActionError as exc:
            context["error"] = exc.message
    return render(request, "webchat/csat.html", context, status=400 if context["error"] else 200)


def demo_shop(request):
    """A stand-in shop page embedding the first web chat channel, to try the widget with `make run`."""
    if not settings.WEBCHAT_DEMO_PAGE:
        raise Http404("The demo shop page is off (WEBCHAT_DEMO_PAGE).")
    channel = Channel.objects.filter(kind=WebchatAdapter.kind, active=True).order_by("created_at").first()
    if channel is None:
        raise Http404("No active web chat channel: create one (kind webchat) to try the widget here.")
    snippet = WebchatAdapter(channel).public_extras()["embed_snippet"]
    response = render(request, "webchat/demo_shop.html", {"channel": channel, "embed_snippet": snippet})
    response["Content-Security-Policy"] = _shop_page_policy(snippet)
    return response


def _shop_page_policy(snippet):
    """The demo page stands for a shop's own site: the snippet's one inline script (by its hash), the widget
    from PUBLIC_BASE_URL, and the widget's own style element in its shadow root. Nothing else runs."""
    inline = re.search(r"<script>(.*?)</script>", snippet, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    base = settings.PUBLIC_BASE_URL
    socket = re.sub(r"^http", "ws", base)
    return (f"default-src 'self'; script-src 'self' {base} 'sha256-{digest}'; style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' {base} data: blob:; connect-src 'self' {base} {socket}; object-src 'none'; "
            f"base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
