from console.routing import websocket_urlpatterns as console_websockets

websocket_urlpatterns = [*console_websockets]
