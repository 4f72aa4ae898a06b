from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.report_page, name="reports"),
    path("<slug:name>/", views.report_page, name="report"),
    path("<slug:name>/export.csv", views.report_csv, name="report_csv"),
]
