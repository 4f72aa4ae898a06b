"""OmniDesk benchmark suite: `make bench` (or `python -m bench`); BENCH_QUICK=1 for a short run.

Runs the production set-up on 127.0.0.1 (PostgreSQL, Redis, daphne, Celery
workers), measures each figure against a baseline taken in the same run and
writes bench/results/latest.json and latest.md.
"""
