"""The daphne and Celery processes of a run: started here, always stopped here (even on error or Ctrl-C)."""
import os
import resource
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from .config import REPO_DIR, VENV_BIN

STOP_GRACE_SECONDS = 10


class ServiceError(RuntimeError):
    pass


def raise_open_files_limit():
    """Let this process and the servers it starts (they inherit it) hold many sockets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_bytes(pid):
    """Resident memory of one process, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise ServiceError(f"no VmRSS for pid {pid}")


def _stat_fields(pid):
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()  # fields from the 3rd on: state, ppid, ...


def cpu_seconds(pid, descendants=True):
    """User + system CPU time of a process and (by default) its live descendants (Celery's pool processes)."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(int(_stat_fields(entry.name)[1]), []).append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue
    ticks = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = _stat_fields(current)
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
        if descendants:
            pending += children.get(current, [])
    return total


class Service:
    def __init__(self, name, argv, env, log_path):
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "wb")
        # A session of its own, so stopping it also stops its children (Celery's pool processes).
        self.process = subprocess.Popen(
            argv, cwd=REPO_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self):
        return self.process.pid

    def alive(self):
        return self.process.poll() is None

    def log_tail(self, lines=20):
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        if self.alive():
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_GRACE_SECONDS)
            except ProcessLookupError:
                pass
        self._log.close()


class Daphne(Service):
    def __init__(self, name, env, log_dir, application="omnidesk.asgi:application"):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        argv = [str(VENV_BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port), application]
        super().__init__(name, argv, env, Path(log_dir) / f"{name}.log")

    def wait_ready(self, path="/login/", timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServiceError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        raise ServiceError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")


class CeleryWorker(Service):
    def __init__(self, name, env, log_dir, concurrency, queues=(), niceness=0):
        argv = [
            str(VENV_BIN / "celery"), "-A", "omnidesk", "worker", "--loglevel=INFO", f"--concurrency={concurrency}",
            "-n", f"{name}@%h",
        ]
        if queues:
            argv += ["-Q", ",".join(queues)]
        if niceness:  # nice execs the worker: the pid stays the worker's
            argv = ["nice", "-n", str(niceness), *argv]
        super().__init__(name, argv, env, Path(log_dir) / f"{name}.log")

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServiceError(f"{self.name} exited:\n{self.log_tail()}")
            if b" ready." in Path(self.log_path).read_bytes():
                return
            time.sleep(0.2)
        raise ServiceError(f"{self.name} not ready after {timeout}s:\n{self.log_tail()}")


class Services:
    """Every process of a run; a context manager that stops them all on the way out, whatever happened."""

    def __init__(self, env, log_dir):
        self.env = env
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.running = []

    def daphne(self, name, application="omnidesk.asgi:application"):
        service = Daphne(name, self.env, self.log_dir, application)
        self.running.append(service)
        service.wait_ready("/login/" if application.startswith("omnidesk") else "/")
        return service

    def start_worker(self, name, concurrency, queues=(), niceness=0):
        """Start a Celery worker without waiting for it (call wait_ready() on it); every queue unless `queues`."""
        service = CeleryWorker(name, self.env, self.log_dir, concurrency, queues, niceness)
        self.running.append(service)
        return service

    def stop(self, service):
        service.stop()
        self.running.remove(service)

    def stop_all(self):
        while self.running:
            self.running.pop().stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop_all()
