from django.urls import path

from .views import signed_insert

urlpatterns = [path("baseline/<uuid:channel_id>/", signed_insert, name="bench-baseline")]
