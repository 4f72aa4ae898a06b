"""Signing in and changing one's password, with failed attempts counted and capped (no online guessing)."""
import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from conversations import rate_limits


def _over(action, key, now):
    count, window = settings.AUTH_RATE_LIMITS[action]
    return rate_limits.counted(action, key, now, window) >= count


def _fail(action, key, now):
    rate_limits.count(action, key, now, settings.AUTH_RATE_LIMITS[action][1])


def _refusal():
    minutes = max(window for _count, window in settings.AUTH_RATE_LIMITS.values()) // 60
    return _("Too many failed attempts; try again in %(minutes)d minutes.") % {"minutes": minutes}


def _sign_in_limits(request, username):
    address = request.META.get("REMOTE_ADDR", "unknown") if request is not None else "unknown"
    return [("login_ip", address), ("login_username", str(username or "").strip().lower()[:150])]


def sign_in_refused(request, username):
    now = time.time()
    return any(_over(action, key, now) for action, key in _sign_in_limits(request, username))


class RateLimitedModelBackend(ModelBackend):
    """Every password sign-in (the console, the admin) counts its failures per address and per username; past
    either limit, even the right password is refused until the window ends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if sign_in_refused(request, username):
            raise PermissionDenied(_refusal())  # stops authentication here: no further backend is asked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            now = time.time()
            for action, key in _sign_in_limits(request, username):
                _fail(action, key, now)
        return user


class SignInView(auth_views.LoginView):
    """The sign-in page says so, with a 429, once the limits are reached."""

    def post(self, request, *args, **kwargs):
        if sign_in_refused(request, request.POST.get("username")):
            form = self.get_form()
            return self.render_to_response(self.get_context_data(form=form, refused=_refusal()), status=429)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Wrong current passwords are counted per user. Success keeps this session only (Django's session hash)
    and revokes the user's API tokens (api.tokens)."""

    def post(self, request, *args, **kwargs):
        if _over("password_change_user", request.user.pk, time.time()):
            form = self.get_form()
            return self.render_to_response(self.get_context_data(form=form, refused=_refusal()), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if "old_password" in form.errors:
            _fail("password_change_user", self.request.user.pk, time.time())
        return super().form_invalid(form)
