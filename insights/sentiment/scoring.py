"""Label and score of a customer message: label = argmax, score = P(positive) - P(negative), in [-1, 1]."""
from dataclasses import dataclass
from functools import lru_cache

from .dataset import LABELS
from .encoder import embed
from .head import load_head


@dataclass(frozen=True)
class Sentiment:
    label: str
    score: float
    model_version: str


@lru_cache(maxsize=1)
def current_head():
    return load_head()


def model_version():
    return current_head().version


def score_texts(texts):
    """One Sentiment per text, in order; an empty list for none."""
    texts = list(texts)
    if not texts:
        return []
    head = current_head()
    probabilities = head.probabilities(embed(texts))
    negative, positive = LABELS.index("negative"), LABELS.index("positive")
    return [
        Sentiment(LABELS[int(row.argmax())], round(float(row[positive] - row[negative]), 4), head.version)
        for row in probabilities
    ]
