from django.urls import path

from .views import webhook

urlpatterns = [path("webhooks/<uuid:channel_id>/", webhook, name="webhook")]
