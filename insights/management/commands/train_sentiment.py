"""Fit the sentiment head on insights/sentiment/training/*.tsv (never on the evaluation set)."""
from django.core.management.base import BaseCommand

from insights.sentiment import dataset
from insights.sentiment.encoder import embed
from insights.sentiment.head import HEAD_PATH, fit


class Command(BaseCommand):
    help = "Train the sentiment head on the training set and write insights/sentiment/model/head.npz."

    def add_arguments(self, parser):
        parser.add_argument("--model-version", required=True, help="A new model version, stored with every score.")
        parser.add_argument("--l2", type=float, default=1e-4)
        parser.add_argument("--epochs", type=int, default=2000)

    def handle(self, *args, model_version, l2, epochs, **options):
        examples = dataset.load(dataset.TRAINING_DIR)
        evaluation = {dataset.normalised(e.text) for e in dataset.load(dataset.EVALUATION_DIR)}
        leaked = [e.text for e in examples if dataset.normalised(e.text) in evaluation]
        if leaked:
            raise SystemExit(f"training messages also in the evaluation set: {leaked}")
        head = fit(embed(e.text for e in examples), [e.label for e in examples], model_version, l2=l2, epochs=epochs)
        head.save(HEAD_PATH)
        self.stdout.write(f"{len(examples)} messages -> {HEAD_PATH} ({model_version})")
