"""Which of Portuguese, Spanish or English a customer wrote in (nothing else is ever answered)."""
import re
import threading
from functools import lru_cache

SUPPORTED = ("pt", "es", "en")
# Too few words to tell the languages apart ("ok", "Bom dia", "Hi there"): keep what we knew.
MIN_WORDS = 3
_lock = threading.Lock()

# European Portuguese marks that Brazilian Portuguese does not use (words and the "a + infinitive" progressive).
_PT_PT_MARKS = re.compile(
    r"\b(telem[oó]vel|ecr[ãa]|autocarro|comboio|casa de banho|frigor[ií]fico|pequeno[- ]almo[çc]o|morada|estafeta"
    r"|portes|fatura com o nif|nif|mb way|convosco|vossa?s?|avariad[oa]s?|rapariga|est(ou|ás|á|amos|ão) a \w+r"
    r"|fico[- ]me|fica[- ]me|agrade[çc]o imenso|obrigad[ií]ssim[oa])\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    with _lock:
        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(SUPPORTED))
        return identifier


def detect_language(text, fallback=""):
    """'pt', 'es' or 'en'; `fallback` (the customer's last known language) for very short texts."""
    if fallback in SUPPORTED and len(text.split()) < MIN_WORDS:
        return fallback
    language, _confidence = _identifier().classify(text)
    return language


def portuguese_variant(text, default="pt-BR"):
    """pt-PT when the text uses European Portuguese words or grammar, else `default` (the channel's locale)."""
    return "pt-PT" if _PT_PT_MARKS.search(text) else default


def language_tag(text, fallback=""):
    """The BCP 47 tag we store: pt-BR, pt-PT, es or en."""
    language = detect_language(text, fallback.split("-")[0] if fallback else "")
    if language == "pt":
        return portuguese_variant(text, default=fallback if fallback.startswith("pt-") else "pt-BR")
    return language
