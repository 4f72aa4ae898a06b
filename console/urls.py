from django.urls import path

from . import views

app_name = "console"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("conversations/<int:pk>/", views.conversation_detail, name="conversation"),
    path("conversations/<int:pk>/reply/", views.reply, name="reply"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
