"""Opt-out keywords: a whole message, compared without case or accents ("Sair", "DESCADASTRAR", "baja")."""
import unicodedata

from django.conf import settings


def fold(text):
    """Upper case without accents or surrounding punctuation: "  ¡Bajá! " -> "BAJA"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return bare.strip().strip(".!?¡¿,;:\"' ").upper()


def is_opt_out(text):
    folded = fold(text)
    return bool(folded) and folded in {fold(word) for word in settings.MARKETING_OPT_OUT_KEYWORDS}
