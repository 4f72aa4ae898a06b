"""Pages of the shop's site a customer viewed (reported by the web chat widget)."""
from dataclasses import dataclass
from datetime import datetime

from ..models import Touchpoint

MAX_URL_LENGTH = 1000
MAX_TITLE_LENGTH = 300


@dataclass(frozen=True)
class PageView:
    url: str
    title: str
    viewed_at: datetime


def record_page_views(customer, channel, page_views):
    """Store the views not stored yet; the same (url, time) reported twice is kept once."""
    rows = [
        Touchpoint(customer=customer, channel=channel, url=view.url[:MAX_URL_LENGTH],
                   title=view.title[:MAX_TITLE_LENGTH], viewed_at=view.viewed_at)
        for view in page_views
    ]
    Touchpoint.objects.bulk_create(rows, ignore_conflicts=True)
