"""HTML that may be shown to agents: sanitised with nh3, never trusted as received."""
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
# A remote image an agent has not allowed yet keeps its URL here instead of
# `src`, so opening a message fetches nothing (no tracking pixel). A console
# may copy it back to `src` on the agent's request, and only for http(s) URLs.
BLOCKED_IMAGE_ATTRIBUTE = "data-blocked-src"
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", BLOCKED_IMAGE_ATTRIBUTE},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitise_html(html):
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        link_rel="noopener noreferrer nofollow",
    )
