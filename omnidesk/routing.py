from channels_adapters.webchat.routing import websocket_urlpatterns as webchat_websockets
from console.routing import websocket_urlpatterns as console_websockets

# Agents: session auth, Origin must be one of ALLOWED_HOSTS.
websocket_urlpatterns = [*console_websockets]
# The shop sites' widgets: no session; each consumer checks the Origin against its channel's allowed_origins.
public_websocket_urlpatterns = [*webchat_websockets]
