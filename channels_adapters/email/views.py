"""Connecting OAuth2 mailboxes from the console: the list of email channels, the start of the authorisation
(PKCE, state kept in the admin's session) and the provider's redirect back. Admins only."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conversations.models import Channel
from conversations.visibility import is_admin

from . import oauth
from .adapter import EmailAdapter
from .models import ImapCursor

SESSION_KEY = "email_oauth_pending"
# Authorisations started but not finished, kept per admin session (a second tab must not drop the first).
MAX_PENDING = 5


def _admin_only(request):
    if not is_admin(request.user):
        raise PermissionDenied


def _callback_uri(request):
    return request.build_absolute_uri(reverse("email_oauth_callback"))


@login_required
def mailboxes(request):
    _admin_only(request)
    channels = list(Channel.objects.filter(kind=EmailAdapter.kind).order_by("name"))
    cursors = {cursor.channel_id: cursor for cursor in ImapCursor.objects.filter(channel__in=channels)}
    rows = []
    for channel in channels:
        config = channel.config
        provider = oauth.provider_of(config)
        rows.append({"channel": channel, "address": config.get("address", ""), "provider": provider,
                     "oauth_error": config.get(oauth.ERROR_KEY, ""), "cursor": cursors.get(channel.pk),
                     "polls": bool(config.get("imap_host"))})
    available = [provider for provider in oauth.providers().values() if provider.configured]
    return render(request, "email_channel/mailboxes.html", {"rows": rows, "providers": available,
                                                            "callback_uri": _callback_uri(request)})


@login_required
@require_POST
def connect(request, channel_id, provider_name):
    _admin_only(request)
    channel = get_object_or_404(Channel, pk=channel_id, kind=EmailAdapter.kind)
    provider = oauth.providers().get(provider_name)
    if provider is None or not provider.configured:
        return HttpResponseBadRequest(_("This provider is not configured (client id and secret)."))
    authorisation = oauth.start(channel, provider, _callback_uri(request))
    pending = [item for item in request.session.get(SESSION_KEY, []) if item["channel"] != str(channel.pk)]
    request.session[SESSION_KEY] = [*pending[-(MAX_PENDING - 1):], authorisation.pending]
    return redirect(authorisation.url)


@login_required
def callback(request):
    """The provider sends the admin's browser back here with ?code&state (or ?error)."""
    _admin_only(request)
    state = request.GET.get("state", "")
    waiting = request.session.get(SESSION_KEY, [])
    pending = next((item for item in waiting if state and item["state"] == state), None)
    if pending is None:
        return HttpResponseBadRequest(_("This authorisation was not started here, or was already used. "
                                        "Start again from the mailboxes page."))
    request.session[SESSION_KEY] = [item for item in waiting if item is not pending]
    if request.GET.get("error"):
        messages.error(request, _("The provider did not authorise the mailbox: %(error)s") % {
            "error": request.GET.get("error_description") or request.GET["error"]})
        return redirect("email_mailboxes")
    code = request.GET.get("code", "")
    if not code or len(code) > 2048:
        return HttpResponseBadRequest(_("The provider's answer has no authorisation code."))
    try:
        channel = oauth.finish(pending, code)
    except oauth.OAuthError as exc:
        messages.error(request, _("The mailbox could not be connected: %(error)s") % {"error": exc})
    else:
        messages.success(request, _("%(channel)s is connected: its mail is fetched and sent with OAuth2.") % {
            "channel": channel.name})
    return redirect("email_mailboxes")
