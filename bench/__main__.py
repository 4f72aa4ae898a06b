"""`python -m bench`: start the production set-up on 127.0.0.1, run every figure, write results/, stop everything."""
import os
import signal
import sys
import time
import traceback

from . import config, report, stack
from .processes import Services, raise_open_files_limit

BACKGROUND_NICENESS = 10
# In the order they run: figures 4 and 7 last, since they replace the data with their own large set.
FIGURE_MODULES = ["ingest", "live_latency", "two_processes", "ws_capacity", "email_ingest", "data_scale", "insights"]


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main():
    env = config.load()
    started = time.monotonic()
    open_files = raise_open_files_limit()
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    print(f"bench: {'QUICK' if env.quick else 'full'} run on {env.database_url} and {env.redis_url} "
          f"(open files limit {open_files})", flush=True)

    stack.ensure_database(env.database_url)
    stack.setup_django(env)
    stack.migrate()
    stack.reset_database()
    stack.reset_redis(env.redis_url)

    import importlib

    from django.conf import settings

    from .run_context import RunContext
    from .stats import failed

    figures = []
    log_dir = os.path.join(env.var_dir, "bench-logs")
    with Services(env.child_env(), log_dir) as services:
        # As README suggests for one small machine: the live queue's worker, and the background queue's
        # (sentiment, journeys, segments, rollups) at a lower CPU priority, so waiting agents come first.
        worker = services.start_worker("worker-1", env.worker_concurrency, queues=[settings.CELERY_TASK_DEFAULT_QUEUE])
        background_worker = services.start_worker("worker-background", 1, queues=[settings.CELERY_BACKGROUND_QUEUE],
                                                  niceness=BACKGROUND_NICENESS)
        web = services.daphne("daphne-1")
        worker.wait_ready()
        background_worker.wait_ready()
        ctx = RunContext(env=env, services=services, web=web, worker=worker, background_worker=background_worker)
        for name in FIGURE_MODULES:
            module = importlib.import_module(f".figures.{name}", __package__)
            if env.only and module.NUMBER not in env.only:
                continue
            print(f"figure {module.NUMBER}: {module.TITLE}", flush=True)
            figure_started = time.monotonic()
            try:
                figures += module.run(ctx)
            except Exception as exc:  # one broken figure must not lose the others
                traceback.print_exc()
                figures.append(failed(module.NUMBER, module.TITLE, f"{type(exc).__name__}: {exc}"))
            print(f"  ({time.monotonic() - figure_started:.0f} s)", flush=True)

    figures.sort(key=lambda figure: figure.figure)
    path = report.write(figures, {
        "mode": "quick" if env.quick else "full",
        "duration": time.monotonic() - started,
        "cpus": os.cpu_count(),
        "partial": bool(env.only),
        "details": ctx.details,
    })
    print(path.read_text())
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench: interrupted; every process it started has been stopped", file=sys.stderr)
        sys.exit(130)
