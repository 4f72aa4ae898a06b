"""Bench-only views, mounted under /bench/ only when OMNIDESK_BENCH=1 (see omnidesk/urls.py)."""
