"""A multinomial logistic regression over sentence embeddings: fitted with numpy, applied with numpy."""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .dataset import LABELS

HEAD_PATH = Path(__file__).resolve().parent / "model" / "head.npz"


@dataclass(frozen=True)
class Head:
    weights: np.ndarray  # (3, dim)
    bias: np.ndarray  # (3,)
    version: str

    def probabilities(self, embeddings):
        logits = embeddings @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def save(self, path=HEAD_PATH):
        np.savez(path, weights=self.weights, bias=self.bias, version=np.array(self.version), labels=np.array(LABELS))


def load_head(path=HEAD_PATH):
    with np.load(path, allow_pickle=False) as data:
        if tuple(data["labels"].tolist()) != LABELS:
            raise ValueError(f"{path}: labels {data['labels'].tolist()} are not {LABELS}")
        return Head(data["weights"].astype(np.float32), data["bias"].astype(np.float32), str(data["version"]))


def fit(embeddings, labels, version, l2=1e-4, learning_rate=2.0, epochs=2000):
    """Full-batch gradient descent on the cross-entropy with an L2 penalty; classes weighted to balance.

    The defaults were chosen by 5-fold cross-validation on the training set (0.93), never on the evaluation set.
    """
    embeddings = np.asarray(embeddings, dtype=np.float64)
    targets = np.array([LABELS.index(label) for label in labels])
    n, dim = embeddings.shape
    one_hot = np.eye(len(LABELS))[targets]
    counts = one_hot.sum(axis=0)
    sample_weight = (n / (len(LABELS) * counts))[targets][:, None]
    weights = np.zeros((len(LABELS), dim))
    bias = np.zeros(len(LABELS))
    for _ in range(epochs):
        logits = embeddings @ weights.T + bias
        logits -= logits.max(axis=1, keepdims=True)
        probabilities = np.exp(logits)
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        error = (probabilities - one_hot) * sample_weight / n
        weights -= learning_rate * (error.T @ embeddings + l2 * weights)
        bias -= learning_rate * error.sum(axis=0)
    return Head(weights.astype(np.float32), bias.astype(np.float32), version)
