"""How a stored file is served back from our origin: never as a page, a script or an SVG of ours.

Only raster images may be shown inline; everything else is a download,
and a type a browser would run (HTML, SVG, JavaScript...) is sent as bytes.
Every file answer forbids sniffing and carries a sandboxing policy, so
even a mislabelled file cannot run in the app's origin.
"""
from django.http import FileResponse

from .media_types import is_allowed_media_type

INLINE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
FILE_POLICY = "default-src 'none'; sandbox"


def served_type(content_type):
    """The Content-Type a stored file goes out with: its own when it is one we accept, else opaque bytes."""
    return content_type if content_type and is_allowed_media_type(content_type) else "application/octet-stream"


def protect(response, cross_origin=False):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "cross-origin" if cross_origin else "same-origin"
    return response


def file_response(attachment, inline=False, cross_origin=False):
    """A FileResponse for an Attachment with a file; `inline` is honoured for raster images only."""
    inline = inline and attachment.content_type in INLINE_IMAGE_TYPES
    response = FileResponse(attachment.file.open("rb"), filename=attachment.filename or "attachment",
                            as_attachment=not inline, content_type=served_type(attachment.content_type))
    return protect(response, cross_origin)
