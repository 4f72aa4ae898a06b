from django.urls import path

from . import views

app_name = "routing"
urlpatterns = [
    path("settings/calendars/", views.calendar_list, name="calendars"),
    path("settings/calendars/new/", views.calendar_edit, name="calendar_new"),
    path("settings/calendars/<int:pk>/", views.calendar_edit, name="calendar"),
    path("settings/calendars/<int:pk>/delete/", views.calendar_delete, name="calendar_delete"),
    path("settings/sla-policies/", views.sla_policy_list, name="sla_policies"),
    path("settings/sla-policies/new/", views.sla_policy_edit, name="sla_policy_new"),
    path("settings/sla-policies/<int:pk>/", views.sla_policy_edit, name="sla_policy"),
    path("settings/sla-policies/<int:pk>/delete/", views.sla_policy_delete, name="sla_policy_delete"),
    path("settings/assignment/", views.assignment_list, name="assignment"),
    path("settings/assignment/<int:team_id>/", views.assignment_edit, name="assignment_team"),
    path("settings/assignment/<int:team_id>/agents/<int:user_id>/", views.agent_capacity_edit,
         name="agent_capacity"),
]
