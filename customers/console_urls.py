from django.urls import path

from . import console_views

app_name = "customer360"
urlpatterns = [
    path("conversations/<int:pk>/customer-360/", console_views.panel_fragment, name="panel"),
    path("conversations/<int:pk>/customer-360/timeline/", console_views.timeline_page, name="timeline"),
    path("customers/<int:pk>/export/<str:kind>/", console_views.export_customer, name="export"),
    path("customers/<int:pk>/erase/", console_views.erase_customer, name="erase"),
    path("settings/attributes/", console_views.attribute_list, name="attributes"),
    path("settings/attributes/<int:pk>/", console_views.attribute_edit, name="attribute_edit"),
    path("settings/attributes/<int:pk>/delete/", console_views.attribute_delete, name="attribute_delete"),
]
