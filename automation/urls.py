from django.urls import path

from . import views

app_name = "automation"
urlpatterns = [
    path("settings/macros/", views.macro_list, name="macros"),
    path("settings/macros/<int:pk>/", views.macro_edit, name="macro"),
    path("settings/macros/<int:pk>/delete/", views.macro_delete, name="macro_delete"),
    path("macros/<int:pk>/preview/", views.macro_preview, name="macro_preview"),
    path("macros/<int:pk>/run/", views.macro_run, name="macro_run"),
    path("settings/rules/", views.rule_list, name="rules"),
    path("settings/rules/<int:pk>/", views.rule_detail, name="rule"),
    path("settings/rules/<int:pk>/move/", views.rule_move, name="rule_move"),
    path("settings/rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("settings/webhooks/", views.subscription_list, name="webhooks"),
    path("settings/webhooks/<int:pk>/", views.subscription_detail, name="webhook"),
    path("settings/webhooks/<int:pk>/toggle/", views.subscription_toggle, name="webhook_toggle"),
    path("settings/webhooks/<int:pk>/delete/", views.subscription_delete, name="webhook_delete"),
    path("settings/webhook-deliveries/<uuid:pk>/replay/", views.delivery_replay, name="delivery_replay"),
]
