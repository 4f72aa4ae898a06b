from django.urls import include, path

from .views import outbound_media, webhook

urlpatterns = [
    path("webhooks/<uuid:channel_id>/", webhook, name="webhook"),
    path("outbound-media/<str:token>/<str:filename>", outbound_media, name="outbound_media"),
    path("", include("channels_adapters.email.urls")),
]
