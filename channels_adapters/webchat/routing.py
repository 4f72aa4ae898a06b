from django.urls import path

from .consumer import WebchatConsumer

websocket_urlpatterns = [path("ws/webchat/<uuid:channel_id>/", WebchatConsumer.as_asgi())]
