"""What the widget is told when it is refused: a code it shows in the visitor's language, and an English detail.

The widget carries the words of every code (static/webchat/widget.js, `err_<code>`); the detail is for the
integrator reading the network log. A code the widget does not know shows as `invalid_request`.
"""
UNAVAILABLE = "unavailable"
RATE_LIMITED = "rate_limited"
TOO_LARGE = "too_large"
SESSION_EXPIRED = "session_expired"
EMPTY_MESSAGE = "empty_message"
TOO_LONG = "too_long"
INVALID_EMAIL = "invalid_email"
INVALID_PHONE = "invalid_phone"
FILE_TOO_LARGE = "file_too_large"
FILE_TYPE = "file_type"
NOTHING_TO_RATE = "nothing_to_rate"
INVALID_RATING = "invalid_rating"
INVALID_REQUEST = "invalid_request"

CODES = frozenset({
    UNAVAILABLE, RATE_LIMITED, TOO_LARGE, SESSION_EXPIRED, EMPTY_MESSAGE, TOO_LONG, INVALID_EMAIL, INVALID_PHONE,
    FILE_TOO_LARGE, FILE_TYPE, NOTHING_TO_RATE, INVALID_RATING, INVALID_REQUEST,
})


class Refused(ValueError):
    """Input from a widget we refuse: `code` for the visitor, the message (English) for the integrator."""

    def __init__(self, message, code=INVALID_REQUEST):
        super().__init__(message)
        self.code = code
