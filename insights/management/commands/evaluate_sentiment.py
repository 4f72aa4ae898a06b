"""Print accuracy and macro-F1 of the shipped head on the evaluation set, per language."""
from django.core.management.base import BaseCommand

from insights.sentiment.evaluation import evaluate
from insights.sentiment.scoring import model_version


class Command(BaseCommand):
    help = "Accuracy and macro-F1 of the sentiment model on insights/sentiment/evaluation/*.tsv."

    def handle(self, *args, **options):
        self.stdout.write(f"model {model_version()}")
        self.stdout.write("| language | messages | accuracy | macro-F1 |\n|---|---|---|---|")
        for result in evaluate():
            self.stdout.write(f"| {result.group} | {result.count} | {result.accuracy:.3f} | {result.macro_f1:.3f} |")
