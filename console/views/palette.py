"""The command palette's look-ups (Ctrl/Cmd+K): customers and conversations the agent may see, as links."""
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_GET

from conversations.visibility import visible_conversations

from ..forms import SearchForm
from .pages import search_customers, search_messages

PALETTE_RESULTS = 8


def _conversation_url(pk):
    return reverse("console:conversation", args=[pk])


@login_required
@require_GET
def palette_search(request):
    form = SearchForm(request.GET)
    text = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if len(text) < 2:
        return JsonResponse({"customers": [], "conversations": []})
    customers = [
        {"label": str(customer),
         "detail": ", ".join(identity.address for identity in customer.identities.all()),
         "url": _conversation_url(customer.conversation.pk)}
        for customer in search_customers(request.user, text)[:PALETTE_RESULTS]
    ]
    conversations = []
    number = text.lstrip("#")
    if number.isdigit():
        conversation = visible_conversations(request.user).select_related("customer").filter(pk=int(number)).first()
        if conversation is not None:
            conversations.append({"label": f"#{conversation.pk} · {conversation.customer}",
                                  "detail": conversation.get_status_display(), "url": _conversation_url(conversation.pk)})
    seen = {entry["url"] for entry in conversations}
    for message in search_messages(request.user, text):
        url = _conversation_url(message.conversation_id)
        if url in seen:
            continue
        seen.add(url)
        conversations.append({"label": f"#{message.conversation_id} · {message.conversation.customer}",
                              "detail": Truncator(message.text).chars(80), "url": url})
        if len(conversations) >= PALETTE_RESULTS:
            break
    return JsonResponse({"customers": customers, "conversations": conversations})
