"""Signed links to the rating page of one conversation cycle, usable on any channel."""
from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "omnidesk.csat"


class InvalidCsatLink(ValueError):
    pass


def csat_token(cycle):
    return signing.dumps({"cycle": cycle.pk}, salt=SALT)


def cycle_id_of(token):
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.CSAT_LINK_MAX_AGE_SECONDS)
    except signing.BadSignature as exc:
        raise InvalidCsatLink(str(exc)) from exc
    return data["cycle"]


def csat_url(cycle):
    return settings.PUBLIC_BASE_URL + reverse("csat", args=[csat_token(cycle)])
