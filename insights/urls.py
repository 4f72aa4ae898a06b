from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.report_page, name="reports"),
    path("weekly-summary/", views.weekly_summary, name="weekly_summary"),
    path("<slug:name>/", views.report_page, name="report"),
    path("<slug:name>/export.csv", views.report_csv, name="report_csv"),
]
