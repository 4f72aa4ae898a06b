"""What every figure gets: the run's settings, its processes, the main web process, and a place for details."""
from dataclasses import dataclass, field

from .config import Environment
from .processes import CeleryWorker, Daphne, Services


@dataclass
class RunContext:
    env: Environment
    services: Services
    web: Daphne  # the main daphne process ...
    worker: CeleryWorker  # ... and the Celery worker behind it
    details: list = field(default_factory=list)  # lines for the "Details" part of latest.md

    @property
    def sizes(self):
        return self.env.sizes

    def note(self, line):
        print(f"  {line}", flush=True)
        self.details.append(line)
