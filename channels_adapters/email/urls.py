from django.urls import path

from . import views

urlpatterns = [
    path("settings/mailboxes/", views.mailboxes, name="email_mailboxes"),
    path("settings/mailboxes/<uuid:channel_id>/connect/<str:provider_name>/", views.connect,
         name="email_oauth_connect"),
    path("settings/mailboxes/oauth/callback/", views.callback, name="email_oauth_callback"),
]
