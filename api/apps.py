from django.apps import AppConfig
from django.db.models.signals import pre_save


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self):
        from django.contrib.auth import get_user_model

        from .tokens import revoke_tokens_when_the_password_changes

        pre_save.connect(revoke_tokens_when_the_password_changes, sender=get_user_model(),
                         dispatch_uid="api.revoke_tokens_on_password_change")
