"""The registry under load (issue 12's targets): the probe's mix, a bare page for comparison, a killed worker.

    PYTHONPATH=. .venv/bin/python benchmarks/load.py \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_20k [--fill 20000] \\
        [--duration 60] [--connections 50,200]

Needs `wrk` (Debian's package). With --fill the database is rebuilt and filled with N demo companies first
(benchmarks/match_speed.py's fill). Then:

1. gunicorn serves the registry in production mode with the project's `gunicorn.conf.py` (gthread) and 2
   workers, on PostgreSQL, with rate limits and the anonymous page cache in Redis as in production;
2. wrk runs the mix for --duration seconds at each --connections: home 10 %, catalogue with filters and
   search 25 %, company pages 20 %, need pages 20 %, API matches 15 %, API search 10 %, over 2,000 distinct
   paths. The first run starts with an empty page cache and is repeated. Every answer's status is counted by
   a Lua hook; errors are 5xx, socket errors and timeouts;
3. the same gunicorn settings serve a bare Flask page that reads one company from the same database: the
   mix's throughput is given as a share of it;
4. fault: at 50 connections, one gunicorn worker is killed with SIGKILL a third of the way in; the errors
   that follow are at most the requests that worker held.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from match_speed import QUERIES, fill, libpq_url  # noqa: E402

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
MIX = {"home": 10, "catalogue": 25, "company": 20, "need": 20, "api_matches": 15, "api_search": 10}
DEFAULT_GUNICORN = ["-w", "2", "--timeout", "30"]  # used only when the project has no gunicorn.conf.py

BARE_APP = '''
import os, random
from flask import Flask
from sqlalchemy import create_engine, text
app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
with engine.connect() as c:
    LAST = c.execute(text("SELECT max(id) FROM companies")).scalar()
@app.get("/")
def page():
    with engine.connect() as c:
        row = c.execute(text("SELECT name, city FROM companies WHERE id = :id"), {"id": random.randint(1, LAST)}).first()
    return f"<!doctype html><title>bare</title><p>{row[0] if row else ''}"
'''

LUA = '''
paths = {%(paths)s}
counts = {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {ok = 0, c3 = 0, c4 = 0, c429 = 0, c5 = 0} end
function request() return wrk.format("GET", paths[math.random(#paths)]) end
function response(status, headers, body)
  if status >= 500 then counts.c5 = counts.c5 + 1
  elseif status == 429 then counts.c429 = counts.c429 + 1
  elseif status >= 400 then counts.c4 = counts.c4 + 1
  elseif status >= 300 then counts.c3 = counts.c3 + 1
  else counts.ok = counts.ok + 1 end
end
function done(summary, latency, requests)
  local total = {ok = 0, c3 = 0, c4 = 0, c429 = 0, c5 = 0}
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for k, v in pairs(c) do total[k] = total[k] + v end
  end
  io.write(string.format("STATUS 2xx=%%d 3xx=%%d 4xx=%%d 429=%%d 5xx=%%d\\n", total.ok, total.c3, total.c4, total.c429, total.c5))
  io.write(string.format("ERRORS connect=%%d read=%%d write=%%d timeout=%%d\\n", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
  io.write(string.format("LATENCY p50=%%.1f p99=%%.1f\\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
'''


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def env_for(url: str) -> dict:
    return {**os.environ, "REGISTRY_CONFIG": "production", "DATABASE_URL": url, "SECRET_KEY": "load-benchmark",
            "EXTERNAL_URL": "https://registry.example", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/13",
            "JOBS_URL": "redis://127.0.0.1:6379/12", "PAGE_CACHE_URL": "redis://127.0.0.1:6379/2",
            "TRUSTED_HOSTS": "127.0.0.1", "WEB_CONCURRENCY": "2", "PYTHONPATH": str(ROOT),  # the probe's 2 workers
            # wrk is one address standing for many visitors: its per-address limits are raised (still counted)
            "API_RATE_LIMIT": "1000000 per minute", "WEB_ANONYMOUS_RATE_LIMIT": "1000000 per minute"}


def serve(app: str, url: str, extra_env=None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    conf = [] if (ROOT / "gunicorn.conf.py").exists() else DEFAULT_GUNICORN
    log = open(Path(tempfile.gettempdir()) / f"load-{app.split(':')[0].replace('.', '-')}.log", "a")  # noqa: SIM115
    server = subprocess.Popen([GUNICORN, *conf, "-b", f"127.0.0.1:{port}", app], cwd=ROOT,
                              env={**env_for(url), **(extra_env or {})}, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            return server, port
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{app} did not start") from None
            time.sleep(0.3)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


def mix_paths(url: str, total: int = 2000) -> list[str]:
    """Paths in the probe's proportions, from real ids and typed queries."""
    import psycopg

    rng = random.Random(12)
    with psycopg.connect(libpq_url(url)) as connection:
        companies = [row[0] for row in connection.execute(
            "SELECT id FROM companies WHERE active ORDER BY random() LIMIT 600")]
        needs = [row[0] for row in connection.execute(
            "SELECT id FROM needs WHERE status = 'open' ORDER BY random() LIMIT 600")]
        regions = [row[0] for row in connection.execute("SELECT iso_code FROM regions WHERE iso_code IS NOT NULL")]
        nodes = [row[0] for row in connection.execute("SELECT code FROM capabilities")]

    def q(text: str) -> str:
        return urllib.parse.quote(text)

    makers = {
        "home": lambda: "/",
        "catalogue": lambda: rng.choice([
            f"/catalog/?q={q(rng.choice(QUERIES))}",
            f"/catalog/?region={rng.choice(regions)}&page={rng.randint(1, 5)}",
            f"/catalog/?capability={rng.choice(nodes)}",
            f"/catalog/?q={q(rng.choice(QUERIES))}&region={rng.choice(regions)}",
            f"/catalog/?page={rng.randint(1, 50)}",
        ]),
        "company": lambda: f"/catalog/{rng.choice(companies)}",
        "need": lambda: f"/needs/{rng.choice(needs)}",
        "api_matches": lambda: f"/api/v1/needs/{rng.choice(needs)}/matches",
        "api_search": lambda: f"/api/v1/companies?q={q(rng.choice(QUERIES))}",
    }
    paths = [makers[kind]() for kind, share in MIX.items() for _ in range(total * share // 100)]
    rng.shuffle(paths)
    return paths


def wrk(port: int, script: str, connections: int, duration: int) -> dict:
    threads = min(4, connections)
    done = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--timeout", "10s",
                           "-s", script, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True)
    out = done.stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    result.update({k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out.split("STATUS", 1)[1].split("LATENCY")[0])})
    p50, p99 = re.search(r"LATENCY p50=([\d.]+) p99=([\d.]+)", out).groups()
    result.update(p50=float(p50), p99=float(p99))
    result["errors"] = sum(result[k] for k in ("5xx", "connect", "read", "write", "timeout"))
    return result


def line(label: str, r: dict) -> str:
    return (f"{label}: {r['rps']:.0f} req/s, p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms; 2xx {r['2xx']}, "
            f"3xx {r['3xx']}, 4xx {r['4xx']}, 429 {r['429']}, 5xx {r['5xx']}; socket errors connect {r['connect']} "
            f"read {r['read']} write {r['write']}, timeouts {r['timeout']} → errors {r['errors']}")


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--fill", type=int, help="rebuild the database with this many demo companies first")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", default="50,200")
    args = parser.parse_args()
    if args.fill:
        fill(args.database, args.fill)
    import redis

    for database in (2, 13):  # the page cache and the rate-limit counters start empty
        redis.Redis(db=database).flushdb()
    folder = Path(tempfile.mkdtemp(prefix="load-"))
    script = folder / "mix.lua"
    paths = mix_paths(args.database)
    script.write_text(LUA % {"paths": ", ".join(f'"{path}"' for path in paths)})
    bare_script = folder / "bare.lua"
    bare_script.write_text(LUA % {"paths": '"/"'})
    (folder / "bare_app.py").write_text(textwrap.dedent(BARE_APP))
    conf = "gunicorn.conf.py" if (ROOT / "gunicorn.conf.py").exists() else " ".join(DEFAULT_GUNICORN)
    print(f"mix of {len(paths)} paths {MIX}; gunicorn: {conf}; {args.duration} s per run")

    registry, port = serve("registry.wsgi:app", args.database)
    try:
        wrk(port, str(script), 10, 5)  # warm both workers' caches
        results = {}
        runs = [int(c) for c in args.connections.split(",")]
        # The first run starts with an empty page cache (every path rendered once); the same run again shows
        # the steady state, in which only writes send pages back to rendering.
        for number, connections in enumerate([runs[0], *runs]):
            label = "cold page cache" if number == 0 else "warm page cache"
            result = wrk(port, str(script), connections, args.duration)
            print(line(f"registry mix, {connections} connections, {label}", result))
            if number:
                results[connections] = result
    finally:
        stop(registry)

    bare, port = serve("bare_app:app", args.database, {"PYTHONPATH": f"{folder}:{ROOT}"})
    try:
        wrk(port, str(bare_script), 10, 3)
        bare_result = wrk(port, str(bare_script), 50, args.duration)
        print(line("bare Flask page, 50 connections", bare_result))
    finally:
        stop(bare)
    share = results[min(results)]["rps"] / bare_result["rps"]
    print(f"the mix at {min(results)} connections runs at {share:.0%} of the bare page's throughput")

    registry, port = serve("registry.wsgi:app", args.database)
    try:
        redis.Redis(db=13).flushdb()
        fault = subprocess.Popen(["wrk", "-t", "4", "-c", "50", "-d", f"{args.duration}s", "--timeout", "10s",
                                  "-s", str(script), f"http://127.0.0.1:{port}"], stdout=subprocess.PIPE, text=True)
        time.sleep(args.duration / 3)
        victim = worker_pids(registry.pid)[0]
        os.kill(victim, signal.SIGKILL)
        out, _ = fault.communicate()
        errors = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", out.split("STATUS", 1)[1].split("LATENCY")[0])}
        lost = sum(errors[k] for k in ("5xx", "connect", "read", "write", "timeout"))
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        print(f"fault: worker {victim} SIGKILLed after {args.duration / 3:.0f} s of 50 connections: {rps:.0f} req/s "
              f"over the run, {lost} requests lost ({errors})")
    finally:
        stop(registry)


if __name__ == "__main__":
    main()
