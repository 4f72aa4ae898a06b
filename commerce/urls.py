from django.urls import path

from .views import store_webhook

urlpatterns = [
    path("stores/<uuid:store_id>/webhook/", store_webhook, name="store-webhook"),
]
