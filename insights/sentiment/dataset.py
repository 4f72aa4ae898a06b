"""The labelled support messages: `training/` fits the head, `evaluation/` only ever measures it."""
import csv
from dataclasses import dataclass
from pathlib import Path

LABELS = ("negative", "neutral", "positive")
HERE = Path(__file__).resolve().parent
TRAINING_DIR = HERE / "training"
EVALUATION_DIR = HERE / "evaluation"
LANGUAGES = ("pt", "es", "en")


@dataclass(frozen=True)
class Example:
    label: str
    variant: str  # pt-BR, pt-PT, es, en
    text: str

    @property
    def language(self):
        return self.variant.split("-")[0]


def load(directory, languages=LANGUAGES):
    examples = []
    for language in languages:
        with open(Path(directory) / f"{language}.tsv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if row["label"] not in LABELS:
                    raise ValueError(f"{language}.tsv: unknown label {row['label']!r} for {row['text']!r}")
                examples.append(Example(row["label"], row["variant"], row["text"]))
    return examples


def normalised(text):
    return " ".join(text.casefold().split())
