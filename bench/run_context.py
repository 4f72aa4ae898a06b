"""What every figure gets: the run's settings, its processes, the main web process, and a place for details."""
from dataclasses import dataclass, field

import redis
from django.conf import settings

from .config import Environment
from .processes import CeleryWorker, Daphne, Services


@dataclass
class RunContext:
    env: Environment
    services: Services
    web: Daphne  # the main daphne process ...
    worker: CeleryWorker | None  # ... the Celery worker of the live queue behind it (None once stopped) ...
    background_worker: CeleryWorker | None = None  # ... and the background queue's
    details: list = field(default_factory=list)  # lines for the "Details" part of latest.md

    @property
    def sizes(self):
        return self.env.sizes

    def stop_worker(self):
        """Stop the workers (their running tasks finish) and drop what is still queued.

        For the figures that replace the data set: a leftover task (a sentiment score, a journey) reading
        while the loader truncates deadlocks it, and its writes would race the figure's own.
        """
        if self.worker is None:
            return
        for worker in (self.worker, self.background_worker):
            if worker is not None:
                self.services.stop(worker)
        self.worker = self.background_worker = None
        client = redis.Redis.from_url(self.env.redis_url)
        try:
            client.delete(*(queue.name for queue in settings.CELERY_TASK_QUEUES))
        finally:
            client.close()

    def note(self, line):
        print(f"  {line}", flush=True)
        self.details.append(line)
