"""A new password revokes the user's API tokens, whatever changed it (console, admin, changepassword, API).

Other sessions end by themselves: Django checks each session against a hash of the password.
Tokens do not, so they are deleted with the save (in its transaction: a failed save keeps them).
"""
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token


def revoke_tokens_when_the_password_changes(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = get_user_model().objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        Token.objects.filter(user_id=instance.pk).delete()
