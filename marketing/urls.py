from django.urls import path

from . import console_views, views

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="marketing-unsubscribe"),
    path("segments/", console_views.segment_builder, name="marketing-segments"),
    path("campaigns/", console_views.campaigns_page, name="marketing-campaigns"),
    path("campaigns/<int:pk>/", console_views.campaign_page, name="marketing-campaign"),
]
