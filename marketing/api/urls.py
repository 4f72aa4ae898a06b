"""Mounted at /api/v1/ before the core's router."""
from django.urls import path

from . import views

urlpatterns = [
    path("consents/", views.ConsentList.as_view(), name="consents"),
    path("segments/", views.SegmentList.as_view(), name="segments"),
    path("segments/preview/", views.SegmentPreview.as_view(), name="segment-preview"),
    path("segments/upload/", views.SegmentUpload.as_view(), name="segment-upload"),
    path("segments/<int:pk>/", views.SegmentDetail.as_view(), name="segment"),
    path("segments/<int:pk>/customers/", views.SegmentCustomers.as_view(), name="segment-customers"),
    path("campaigns/", views.CampaignList.as_view(), name="campaigns"),
    path("campaigns/preview/", views.CampaignPreview.as_view(), name="campaign-preview"),
    path("campaigns/<int:pk>/", views.CampaignDetail.as_view(), name="campaign"),
    path("campaigns/<int:pk>/recipients/", views.CampaignRecipients.as_view(), name="campaign-recipients"),
    path("campaigns/<int:pk>/<slug:command>/", views.CampaignControl.as_view(), name="campaign-control"),
]
