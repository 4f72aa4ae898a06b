"""Mounted at /api/v1/customers/ before the core's router, so these paths win over /customers/{id}/."""
from django.urls import path

from . import views

urlpatterns = [
    path("events/", views.EventsView.as_view(), name="customer-events"),
    path("journeys/", views.JourneyList.as_view(), name="customer-journeys"),
    path("attributes/", views.AttributeDefinitionList.as_view(), name="attribute-definitions"),
    path("attributes/<slug:key>/", views.AttributeDefinitionDetail.as_view(), name="attribute-definition"),
    path("<int:pk>/attributes/", views.CustomerAttributesView.as_view(), name="customer-attributes"),
    path("<int:pk>/profile/", views.CustomerProfileView.as_view(), name="customer-profile"),
    path("<int:pk>/events/", views.CustomerEventList.as_view(), name="customer-event-list"),
    path("<int:pk>/orders/", views.CustomerOrderList.as_view(), name="customer-orders"),
    path("<int:pk>/export/json/", views.CustomerExportView.as_view(), {"kind": "json"}, name="customer-export-json"),
    path("<int:pk>/export/csv/", views.CustomerExportView.as_view(), {"kind": "csv"}, name="customer-export-csv"),
    path("<int:pk>/erase/", views.CustomerEraseView.as_view(), name="customer-erase"),
]
