import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnidesk.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from django.urls import re_path  # noqa: E402

from console.websocket_auth import ConsoleAuthMiddlewareStack  # noqa: E402  (needs Django set up first)

from . import embedded_scheduler  # noqa: E402
from .routing import public_websocket_urlpatterns, websocket_urlpatterns  # noqa: E402

embedded_scheduler.start()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter([
            *public_websocket_urlpatterns,
            re_path(r"^", AllowedHostsOriginValidator(ConsoleAuthMiddlewareStack(URLRouter(websocket_urlpatterns)))),
        ]),
    }
)
