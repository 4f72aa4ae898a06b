"""Accuracy and macro-F1 of the shipped head on the evaluation set, per language."""
from collections import defaultdict
from dataclasses import dataclass

from . import dataset
from .scoring import score_texts


@dataclass(frozen=True)
class Result:
    group: str
    count: int
    accuracy: float
    macro_f1: float


def macro_f1(gold, predicted):
    scores = []
    for label in dataset.LABELS:
        true_positive = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        predicted_count = sum(1 for p in predicted if p == label)
        gold_count = sum(1 for g in gold if g == label)
        precision = true_positive / predicted_count if predicted_count else 0.0
        recall = true_positive / gold_count if gold_count else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def evaluate(examples=None):
    """Results per language, per Portuguese variant, and overall."""
    examples = examples if examples is not None else dataset.load(dataset.EVALUATION_DIR)
    predicted = [s.label for s in score_texts(e.text for e in examples)]
    groups = defaultdict(list)
    for example, label in zip(examples, predicted):
        groups[example.language].append((example.label, label))
        if example.variant != example.language:
            groups[example.variant].append((example.label, label))
        groups["all"].append((example.label, label))
    results = []
    for group in ["pt", "pt-BR", "pt-PT", "es", "en", "all"]:
        pairs = groups.get(group)
        if not pairs:
            continue
        gold, guessed = zip(*pairs)
        accuracy = sum(1 for g, p in pairs if g == p) / len(pairs)
        results.append(Result(group, len(pairs), accuracy, macro_f1(gold, guessed)))
    return results
