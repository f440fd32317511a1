"""The real job worker, started by a test as its own process: `flask --app registry jobs worker`."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def start_worker(database_url: str, jobs_url: str, *options: str, output=subprocess.PIPE) -> subprocess.Popen:
    env = {**os.environ, "REGISTRY_CONFIG": "development", "DATABASE_URL": database_url, "JOBS_URL": jobs_url}
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "registry", "jobs", "worker", "--workers", "1",
                             *options], env=env, cwd=PROJECT, stdout=output, stderr=subprocess.STDOUT, text=True)


def stop_worker(worker: subprocess.Popen, timeout: float = 60) -> str:
    """SIGTERM, as a service manager stops it: running jobs finish first."""
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=timeout)
    finally:
        if worker.poll() is None:
            worker.kill()
    return output or ""
