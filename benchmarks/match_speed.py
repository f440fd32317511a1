"""Speed of matching and catalogue search on a PostgreSQL registry filled with N demo companies.

    PYTHONPATH=. .venv/bin/python benchmarks/match_speed.py --companies 100000 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_100k [--skip-fill]

Without --skip-fill the database is dropped and created, migrated (`flask db upgrade`), seeded and
filled with `flask --app registry demo-data --companies N` (timed), then analysed. Then:

* a NEW Python process imports the app and answers one matching request (timed from its start), then
  answers 200 needs, ~50 typed catalogue queries and 100 opportunity requests in process (median, p95),
  and reports its VmRSS after the 200 matching requests;
* gunicorn (-w 2, no --preload) serves the API and the pages: the first request of each worker is a need
  page (must be 200), then matches and catalogue search over HTTP (median, p95) and the catalogue page;
* at most 100,000 companies: plain rank_bm25 over the same texts for 20 needs, as a baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FLASK = str(Path(PYTHON).with_name("flask"))
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))

QUERIES = [
    "металлообработка", "РТИ", "ЧПУ фрезеровка титана", "laser cutting", "гальваническое цинкование",
    "токарные работы", "лазерная резка листового металла", "порошковая покраска", "литье алюминия под давлением",
    "изготовление пресс-форм", "сварка нержавейки", "гибка листа", "термообработка ТВЧ", "зубчатые колеса",
    "шестерни по образцу", "резиновые уплотнения", "манжеты NBR", "литье пластмасс", "CNC milling aluminium",
    "stainless steel welding", "injection moulding", "3D печать металлом", "ремонт электродвигателей",
    "перемотка статоров", "кабельные сборки", "печатные платы монтаж", "гидроцилиндры ремонт",
    "запорная арматура", "насосы", "металлоконструкции", "кузнечные поковки", "штамповка", "анодирование",
    "хромирование", "подшипники SKF", "крепеж", "пружины", "ковка", "чугунное литье", "лазерная сварка",
    "электроэрозионная обработка", "шлифовка валов", "ВТ6", "09Г2С", "Haas", "ISO 9001 механообработка",
    "упаковка", "нефтепромысловое оборудование", "3D-моделирование", "грузоперевозки",
]
TABLES = ("companies", "capability_offers", "company_okved", "needs", "need_capability",
          "retrieval_documents", "retrieval_postings", "retrieval_stats")


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def summary(values) -> str:
    return f"median {statistics.median(values):.1f} ms, p95 {percentile(values, 0.95):.1f} ms (n={len(values)})"


def libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def env_for(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "REGISTRY_CONFIG": "development",
            "SECRET_KEY": "benchmark-secret", "PYTHONPATH": str(ROOT)}


# --- Filling ---------------------------------------------------------------------------------

def fill(url: str, companies: int) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(libpq_url(url))
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    env = env_for(url)
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run([FLASK, "--app", "registry", *command], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    command = [FLASK, "--app", "registry", "demo-data", "--companies", str(companies)]
    print("$ flask " + " ".join(command[1:]))
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    for line in done.stdout.strip().splitlines():
        print("  " + line)
    print(f"database fill (demo-data, {companies} companies): {elapsed:.1f} s "
          f"({companies / elapsed:,.0f} companies/s)")
    with psycopg.connect(libpq_url(url), autocommit=True) as connection:
        started = time.perf_counter()
        connection.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def table_sizes(connection) -> None:
    print("table sizes (rows, heap + indexes):")
    total = 0
    for table in TABLES:
        rows, heap, size = connection.execute(
            "SELECT reltuples::bigint, pg_relation_size(oid), pg_total_relation_size(oid) FROM pg_class "
            "WHERE relname = %s", (table,)).fetchone()
        total += size
        print(f"  {table:<22} {rows:>12,} rows  {heap / 2**20:>8.0f} MiB heap  {size / 2**20:>8.0f} MiB total")
    database = connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    print(f"  these tables {total / 2**20:,.0f} MiB; whole database {database / 2**20:,.0f} MiB")


def common_terms(connection) -> None:
    from registry.matching.text import normalize

    for side in ("supplier", "need"):
        documents = connection.execute("SELECT df FROM retrieval_stats WHERE side = %s AND key = '#'",
                                       (side,)).fetchone()[0]
        rows = connection.execute("SELECT key, df FROM retrieval_stats WHERE side = %s AND key LIKE 't:%%' "
                                  "ORDER BY df DESC LIMIT 6", (side,)).fetchall()
        print(f"{side} documents {documents:,}; most common terms: "
              + ", ".join(f"{key[2:]} {df / documents:.1%}" for key, df in rows))
    documents = connection.execute("SELECT df FROM retrieval_stats WHERE side = 'supplier' AND key = '#'").fetchone()[0]
    shares = []
    for query in QUERIES:
        keys = ["t:" + stem for stem in dict.fromkeys(normalize(query))]
        total = connection.execute("SELECT coalesce(sum(df), 0) FROM retrieval_stats WHERE side = 'supplier' "
                                   "AND key = ANY(%s)", (keys,)).fetchone()[0]
        shares.append(min(1.0, total / documents))
    print(f"typed queries, documents holding any query word (sum of df, an upper bound): median "
          f"{statistics.median(shares):.1%}, max {max(shares):.1%} ({QUERIES[shares.index(max(shares))]!r})")


def choose(connection, queries: int) -> dict:
    needs = connection.execute("SELECT count(*) FROM needs WHERE status = 'open'").fetchone()[0]
    step = max(1, needs // queries)
    need_ids = [row[0] for row in connection.execute(
        "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM needs WHERE status = 'open') AS s "
        "WHERE n %% %s = 0 ORDER BY id LIMIT %s", (step, queries))]
    companies = connection.execute("SELECT max(id) FROM companies").fetchone()[0]
    company_ids = [row[0] for row in connection.execute(
        "SELECT c.id FROM companies AS c WHERE c.active AND c.id %% %s = 7 ORDER BY c.id LIMIT 100",
        (max(1, companies // 100),))]
    return {"needs": need_ids, "companies": company_ids, "queries": QUERIES}


# --- A fresh worker, in a new process ----------------------------------------------------------

def child(plan_path: str) -> int:
    """Runs in a new process: imports the app, answers, measures itself; one JSON line per stage."""
    started = time.perf_counter()
    plan = json.loads(Path(plan_path).read_text())
    from registry import create_app
    from registry.catalog import queries
    from registry.extensions import db
    from registry.models import Company, Need
    from registry.services import matching

    app = create_app()
    imported = time.perf_counter() - started

    def timed(call):
        began = time.perf_counter()
        with app.test_request_context():
            call()
        return (time.perf_counter() - began) * 1000

    first = timed(lambda: matching.suppliers_for(db.session.get(Need, plan["needs"][0]), limit=10))
    print(json.dumps({"stage": "first", "since_start": time.perf_counter() - started, "import_and_app": imported,
                      "first_request_ms": first}), flush=True)
    matches = [timed(lambda i=i: matching.suppliers_for(db.session.get(Need, i), limit=10)) for i in plan["needs"]]
    rss = rss_mib()
    search = [timed(lambda q=q: queries.search_companies(q)) for q in plan["queries"]]
    second = [timed(lambda q=q: queries.search_companies(q)) for q in plan["queries"]]
    opportunities = [timed(lambda i=i: matching.opportunities_for(db.session.get(Company, i), limit=10))
                     for i in plan["companies"]]
    print(json.dumps({"stage": "done", "matches": matches, "rss_mib": rss, "search": search, "search_again": second,
                      "opportunities": opportunities, "rss_end_mib": rss_mib()}), flush=True)
    return 0


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fresh_worker(url: str, plan: dict) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    started = time.perf_counter()
    process = subprocess.Popen([PYTHON, __file__, "--child", handle.name], env=env_for(url), cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    first = json.loads(process.stdout.readline())
    first["wall_s"] = time.perf_counter() - started
    done = json.loads(process.stdout.readline())
    process.wait()
    os.unlink(handle.name)
    return {**first, **done}


# --- Through HTTP --------------------------------------------------------------------------------

def get(url: str) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return status, (time.perf_counter() - started) * 1000, body


def through_http(url: str, plan: dict, port: int, http_needs: int) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as log:
        pass
    command = [GUNICORN, "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", log.name,
               "--access-logformat", "%(p)s %(s)s %(U)s %(M)s", "registry:create_app()"]
    print("$ REGISTRY_CONFIG=development DATABASE_URL=... SECRET_KEY=... " + " ".join(
        Path(c).name if i == 0 else (f"'{c}'" if "(" in c or "%" in c else c) for i, c in enumerate(command)))
    server = subprocess.Popen(command, env=env_for(url), cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # the master binds the socket before the workers import the app
            try:
                import socket
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        # The first request of each worker: a need page. Several at once, and again until the access log
        # shows both workers (a worker still importing the app accepts nothing yet).
        needs = plan["needs"]
        by_worker: dict[str, tuple[str, str, str]] = {}
        firsts = []
        for attempt in range(20):
            with ThreadPoolExecutor(4) as pool:
                firsts += list(pool.map(lambda i: get(f"{base}/needs/{i}"), needs[4 * attempt:4 * attempt + 4]))
            time.sleep(0.3)
            by_worker = first_per_worker(log.name)
            if len(by_worker) >= 2:
                break
        print(f"first requests (need pages, 4 at once on a cold server, {len(firsts)} in all): "
              + ", ".join(f"{status} in {ms:.0f} ms" for status, ms, _ in firsts[:8]))
        print("first request per worker (pid: status path ms): " + "; ".join(
            f"{pid}: {status} {path} {ms} ms" for pid, (status, path, ms) in by_worker.items()))
        if len(by_worker) < 2 or any(s != "200" or not p.startswith("/needs/") for s, p, _ in by_worker.values()):
            print("  WARNING: not every worker's first request was a need page answered 200")

        statuses: dict[int, int] = {}

        def series(paths):
            timings = []
            for path in paths:
                status, ms, _ = get(base + path)
                statuses[status] = statuses.get(status, 0) + 1
                timings.append(ms)
            return timings

        series([f"/api/v1/needs/{i}/matches" for i in needs[4:14]])  # warm both workers' connections
        matches = series([f"/api/v1/needs/{i}/matches" for i in needs[:http_needs]])
        search = series(["/api/v1/companies?" + urllib.parse.urlencode({"q": q}) for q in plan["queries"]])
        page = series(["/catalog/?" + urllib.parse.urlencode({"q": q}) for q in plan["queries"]])
        need_pages = series([f"/needs/{i}" for i in needs[20:70]])
        print(f"API GET /api/v1/needs/<id>/matches: {summary(matches)}")
        print(f"API GET /api/v1/companies?q=...: {summary(search)}")
        print(f"page GET /catalog/?q=...: {summary(page)}")
        print(f"page GET /needs/<id> (with its matches): {summary(need_pages)}")
        print(f"HTTP statuses: {statuses}" + ("  (429: API rate limit hit)" if 429 in statuses else ""))
        worker_rss = []
        for pid in first_per_worker(log.name):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        worker_rss.append(int(line.split()[1]) / 1024)
            except OSError:
                pass
        print("gunicorn worker RSS after the run: " + ", ".join(f"{r:.0f} MiB" for r in worker_rss))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        os.unlink(log.name)


def first_per_worker(path: str) -> dict[str, tuple[str, str, str]]:
    """From gunicorn's access log (pid status path ms): each worker's first request."""
    firsts: dict[str, tuple[str, str, str]] = {}
    for line in Path(path).read_text().splitlines():
        pid, status, url, ms = line.split()
        firsts.setdefault(pid.strip("<>"), (status, url, ms))
    return firsts


# --- Baseline ------------------------------------------------------------------------------------

def bm25_baseline(connection, plan: dict, queries: int, engine_median: float) -> None:
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        print("rank_bm25 not installed; baseline skipped")
        return
    from registry.matching.text import normalize

    started = time.perf_counter()
    rows = connection.execute(
        "SELECT c.id, c.description, coalesce(string_agg(o.text || ' ' || o.equipment || ' ' || o.certifications, "
        "' . ' ORDER BY o.id), '') FROM companies AS c LEFT JOIN capability_offers AS o ON o.company_id = c.id "
        "WHERE c.active GROUP BY c.id ORDER BY c.id").fetchall()
    ids = [row[0] for row in rows]
    corpus = [normalize(f"{offers} . {description}") for _, description, offers in rows]
    bm25 = BM25Okapi(corpus)
    print(f"rank_bm25 build over {len(corpus):,} companies: {time.perf_counter() - started:.1f} s")
    needs = connection.execute("SELECT title, text, volume FROM needs WHERE id = ANY(%s)",
                               (plan["needs"][:queries],)).fetchall()
    timings = []
    for title, text, volume in needs:
        query = normalize(f"{title} . {text} {volume}")
        started = time.perf_counter()
        scores = bm25.get_scores(query)
        sorted(range(len(ids)), key=scores.__getitem__, reverse=True)[:10]
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    print(f"rank_bm25 get_scores + top 10: {summary(timings)}; the engine's in-process match median is "
          f"{median / engine_median:.1f}x faster")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--companies", type=int, default=100_000)
    parser.add_argument("--database", help="postgresql+psycopg://user@host:port/name (dropped and re-created)")
    parser.add_argument("--skip-fill", action="store_true", help="reuse an already filled database")
    parser.add_argument("--queries", type=int, default=200, help="needs matched in process")
    parser.add_argument("--http-needs", type=int, default=150, help="needs matched over HTTP (API limit 300/min)")
    parser.add_argument("--bm25-queries", type=int, default=20)
    parser.add_argument("--bm25-max", type=int, default=100_000, help="skip the baseline above this many companies")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child)
    if not args.database or not re.match(r"postgresql(\+psycopg)?://", args.database):
        parser.error("--database postgresql+psycopg://... is required")
    import psycopg

    sys.path.insert(0, str(ROOT))
    print(f"== match_speed: {args.companies:,} demo companies, {args.database}")
    if not args.skip_fill:
        fill(args.database, args.companies)
    with psycopg.connect(libpq_url(args.database), autocommit=True) as connection:
        table_sizes(connection)
        common_terms(connection)
        plan = choose(connection, args.queries)

    result = fresh_worker(args.database, plan)
    print(f"fresh worker (new process: import, create_app, one suppliers_for): first answer "
          f"{result['wall_s']:.2f} s after the process started (import + create_app {result['import_and_app']:.2f} s; "
          f"the first request itself {result['first_request_ms']:.0f} ms)")
    print(f"in process, suppliers_for (limit 10): {summary(result['matches'])}")
    print(f"worker RSS (VmRSS) after {len(result['matches'])} matching requests: {result['rss_mib']:.0f} MiB "
          f"({result['rss_end_mib']:.0f} MiB after search and opportunities too)")
    print(f"in process, search_companies (first pass): {summary(result['search'])}")
    print(f"in process, search_companies (same queries again): {summary(result['search_again'])}")
    slowest = sorted(zip(result["search"], plan["queries"], strict=True), reverse=True)[:3]
    print("  slowest queries: " + ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in slowest))
    print(f"in process, opportunities_for: {summary(result['opportunities'])}")

    through_http(args.database, plan, args.port, args.http_needs)
    if args.companies <= args.bm25_max:
        with psycopg.connect(libpq_url(args.database), autocommit=True) as connection:
            bm25_baseline(connection, plan, args.bm25_queries, statistics.median(result["matches"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
