from django.urls import path

from . import views

urlpatterns = [
    path("", views.ReportListView.as_view(), name="report_list"),
    path("<slug:name>/", views.ReportView.as_view(), name="report"),
]
