from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    verbose_name = "Routing and SLAs"

    def ready(self):
        # The core sends its after-commit domain signals; routing listens (the core never imports routing).
        from . import receivers, template_variables  # noqa: F401

        template_variables.register()
