from django.urls import path

from . import views

urlpatterns = [
    path("webchat/<uuid:channel_id>/session/", views.session, name="webchat-session"),
    path("webchat/<uuid:channel_id>/upload/", views.upload, name="webchat-upload"),
    path("webchat/<uuid:channel_id>/verification/", views.verification_code, name="webchat-verification"),
    path("webchat/<uuid:channel_id>/verification/confirm/", views.verification_confirm,
         name="webchat-verification-confirm"),
    path("webchat/files/<str:token>/", views.attachment_file, name="webchat-file"),
    path("csat/<str:token>/", views.csat_page, name="csat"),
    path("demo/shop/", views.demo_shop, name="webchat-demo-shop"),
]
