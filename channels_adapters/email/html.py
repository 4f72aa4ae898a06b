"""Email HTML: quoted history cut out, sanitised with nh3, remote images blocked, and a text fallback."""
import html as html_lib
import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from conversations.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, BLOCKED_IMAGE_ATTRIBUTE

# What a sender may write: the blocked-image attribute is ours alone to set.
SENDER_ATTRIBUTES = {
    tag: {name for name in names if name != BLOCKED_IMAGE_ATTRIBUTE} for tag, names in ALLOWED_ATTRIBUTES.items()
}
VOID_ELEMENTS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
}
# Elements (with their content) that hold quoted history or a signature, by client.
QUOTE_CLASSES = {
    "gmail_quote", "gmail_quote_container", "gmail_signature", "gmail_extra",  # Gmail
    "moz-cite-prefix", "moz-signature",  # Thunderbird
    "yahoo_quoted",  # Yahoo
}
QUOTE_IDS = {"applemailsignature", "signature"}
# Outlook puts its quoted header block and the whole history after one of
# these markers: everything from there to the end is history.
CUT_REST_IDS = {"appendonsend", "divrplyfwdmsg", "mail-editor-reference-message-container"}
CUT_REST_CLASSES = {"outlookmessageheader"}
BLOCK_ELEMENTS = {
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}
INVISIBLE_ELEMENTS = {"head", "script", "style", "title", "template"}


def _is_quote(tag, attrs):
    classes = set((attrs.get("class") or "").lower().split())
    element_id = (attrs.get("id") or "").lower()
    if tag == "blockquote" and (attrs.get("type") or "").lower() == "cite":
        return True  # Apple Mail and Thunderbird
    return bool(classes & QUOTE_CLASSES) or element_id in QUOTE_IDS


def _cuts_rest(attrs):
    classes = set((attrs.get("class") or "").lower().split())
    return (attrs.get("id") or "").lower() in CUT_REST_IDS or bool(classes & CUT_REST_CLASSES)


class _QuoteCutter(HTMLParser):
    """Re-emits the HTML without quote elements, stopping at an Outlook history marker."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out = []
        self.open = []  # tag names of open elements
        self.skip_below = None  # while set: inside a removed element opened at this depth
        self.stopped = False
        self.removed = False

    def handle_starttag(self, tag, attr_list):
        if self.stopped:
            return
        attrs = {name: value or "" for name, value in attr_list}
        if self.skip_below is None and _cuts_rest(attrs):
            self.stopped = self.removed = True
            return
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)
        if self.skip_below is None and _is_quote(tag, attrs) and tag not in VOID_ELEMENTS:
            self.skip_below = len(self.open) - 1
            self.removed = True
            return
        if self.skip_below is None:
            self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attr_list):
        if not self.stopped and self.skip_below is None:
            self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if self.stopped or tag not in self.open:
            return
        while self.open:
            closed = self.open.pop()
            if self.skip_below is not None and len(self.open) <= self.skip_below:
                self.skip_below = None
                return
            if closed == tag:
                break
        if self.skip_below is None:
            self.out.append(f"</{tag}>")

    def _text(self, text):
        if not self.stopped and self.skip_below is None:
            self.out.append(text)

    def handle_data(self, data):
        self._text(data)

    def handle_entityref(self, name):
        self._text(f"&{name};")

    def handle_charref(self, name):
        self._text(f"&#{name};")


def cut_quotes(html):
    """(html without quoted history and signature elements, whether anything was removed)."""
    cutter = _QuoteCutter()
    cutter.feed(html)
    cutter.close()
    return "".join(cutter.out), cutter.removed


@dataclass(frozen=True)
class SafeHtml:
    html: str
    blocked_images: int


def sanitise_email_html(html):
    """Sanitise like every channel, and keep remote images out until an agent allows them.

    A remote `<img src>` becomes `data-blocked-src` (the console restores it on
    request), so no tracking pixel is fetched by merely opening a message.
    """
    if not html:
        return SafeHtml("", 0)
    marker = f"cid:omnidesk-blocked-{secrets.token_hex(8)}-"
    blocked = []

    def block_remote(tag, attribute, value):
        if tag != "img" or attribute != "src":
            return value
        if value.lower().startswith(("http://", "https://", "//")):
            blocked.append(value if not value.startswith("//") else "https:" + value)
            return f"{marker}{len(blocked) - 1}"
        # Inline parts only; a relative URL would make the console fetch from itself.
        return value if value.lower().startswith("cid:") else None

    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=SENDER_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=block_remote,
    )
    for index, url in enumerate(blocked):
        cleaned = cleaned.replace(
            f'src="{marker}{index}"', f'{BLOCKED_IMAGE_ATTRIBUTE}="{html_lib.escape(url, quote=True)}"'
        )
    return SafeHtml(cleaned, len(blocked))


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in INVISIBLE_ELEMENTS:
            self.hidden += 1
        elif tag in BLOCK_ELEMENTS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in INVISIBLE_ELEMENTS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCK_ELEMENTS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html):
    """Readable plain text of an HTML body (for HTML-only mail and previews)."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
