"""What the bench runs against and how big each figure is (full run, or BENCH_QUICK=1)."""
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# daphne and celery live beside the interpreter running the bench (the project's virtualenv).
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Sizes:
    # 1 ingest throughput
    ingest_clients: int
    ingest_seconds: float
    ingest_max_requests: int
    ingest_drain_seconds: float
    # 2 live latency
    live_agents: int
    live_rate: float
    live_seconds: float
    # 3 websocket capacity
    ws_connections: int
    # 4 data at scale
    data_customers: int
    data_messages: int
    data_agents: int
    data_teams: int
    data_samples: int
    data_events: int
    data_orders: int
    # 5 email
    email_corpus: int
    email_backlog: int  # mails waiting in the mailbox (IMAP) or posted at once (webhook)
    # 6 two processes
    pair_agents: int
    pair_messages: int
    pair_rate: float


FULL = Sizes(
    ingest_clients=32, ingest_seconds=20, ingest_max_requests=40_000, ingest_drain_seconds=240,
    live_agents=50, live_rate=100, live_seconds=30,
    ws_connections=10_000,
    data_customers=100_000, data_messages=1_000_000, data_agents=300, data_teams=20, data_samples=100,
    data_events=1_000_000, data_orders=200_000,
    email_corpus=10_000, email_backlog=2_000,
    pair_agents=10, pair_messages=300, pair_rate=20,
)
QUICK = Sizes(
    ingest_clients=24, ingest_seconds=5, ingest_max_requests=5_000, ingest_drain_seconds=40,
    live_agents=50, live_rate=100, live_seconds=5,
    ws_connections=1_000,
    data_customers=10_000, data_messages=100_000, data_agents=30, data_teams=2, data_samples=25,
    data_events=100_000, data_orders=20_000,
    email_corpus=1_000, email_backlog=1_000,
    pair_agents=10, pair_messages=60, pair_rate=20,
)
# The small data set of figure 4, the same in both modes: queries per request must not grow past it.
SMALL_DATA = {"customers": 1_000, "messages": 10_000, "events": 10_000, "orders": 2_000}


@dataclass(frozen=True)
class Environment:
    quick: bool
    sizes: Sizes
    database_url: str
    redis_url: str
    var_dir: str
    worker_concurrency: int
    only: frozenset  # figure numbers to run; empty = all

    def child_env(self):
        """The environment of every daphne and celery process the bench starts."""
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="omnidesk.settings",
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            OMNIDESK_VAR_DIR=self.var_dir,
            OMNIDESK_BENCH="1",
            CHANNELS_PREFIX="omnidesk-bench",
            SECRET_KEY=BENCH_SECRET_KEY,
            LOG_LEVEL="WARNING",
            DEBUG="false",
            PYTHONUNBUFFERED="1",
        )
        return env


# Sessions are made by the bench process and read by daphne: both must sign with the same key.
BENCH_SECRET_KEY = "omnidesk-bench-only-secret-key-not-for-production-0123456789"


def load():
    quick = os.environ.get("BENCH_QUICK", "").lower() in ("1", "true", "yes")
    only = frozenset(int(part) for part in os.environ.get("BENCH_ONLY", "").replace(",", " ").split())
    return Environment(
        quick=quick,
        sizes=QUICK if quick else FULL,
        database_url=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_omnidesk"),
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10"),
        var_dir=os.environ.get("OMNIDESK_VAR_DIR", "/tmp/bench-var"),
        worker_concurrency=int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2")),
        only=only,
    )
