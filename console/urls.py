from django.urls import path

from .views import conversation, customers, inbox, pages, palette

app_name = "console"
urlpatterns = [
    path("", inbox.inbox_page, name="inbox"),
    path("inbox/rows/", inbox.inbox_rows, name="inbox_rows"),
    path("inbox/bulk/", inbox.bulk_update, name="bulk"),
    path("views/", inbox.save_view, name="save_view"),
    path("views/<int:pk>/remove/", inbox.remove_view, name="remove_view"),
    path("conversations/<int:pk>/", conversation.conversation_page, name="conversation"),
    path("conversations/<int:pk>/older/", conversation.older_items, name="older"),
    path("conversations/<int:pk>/sync/", conversation.sync, name="sync"),
    path("conversations/<int:pk>/reply/", conversation.reply, name="reply"),
    path("conversations/<int:pk>/update/", conversation.update, name="update"),
    path("conversations/<int:pk>/read/", conversation.mark_read, name="read"),
    path("conversations/<int:pk>/csat/", conversation.ask_csat, name="ask_csat"),
    path("conversations/<int:pk>/calls/", conversation.log_call, name="log_call"),
    path("settings/csat/", pages.csat_settings, name="csat_settings"),
    path("messages/<int:pk>/retry/", conversation.retry, name="retry"),
    path("attachments/<int:pk>/", conversation.attachment_download, name="attachment"),
    path("customers/<int:pk>/identities/", customers.add_identity, name="add_identity"),
    path("customers/<int:pk>/edit/", customers.edit, name="edit_customer"),
    path("customers/<int:pk>/merge/", customers.merge_into, name="merge"),
    path("merges/<int:pk>/undo/", customers.undo_merge, name="undo_merge"),
    path("claims/<int:pk>/dismiss/", customers.dismiss_claim, name="dismiss_claim"),
    path("supervisor/", pages.supervisor_page, name="supervisor"),
    path("supervisor/panel/", pages.supervisor_panel, name="supervisor_panel"),
    path("search/", pages.search_page, name="search"),
    path("palette/", palette.palette_search, name="palette"),
    path("notifications/", pages.notifications_page, name="notifications"),
    path("notifications/read/", pages.notifications_read, name="notifications_read"),
    path("settings/", pages.preferences, name="preferences"),
    path("settings/canned/", pages.canned_list, name="canned"),
    path("settings/canned/<int:pk>/", pages.canned_edit, name="canned_edit"),
    path("settings/canned/<int:pk>/delete/", pages.canned_delete, name="canned_delete"),
]
