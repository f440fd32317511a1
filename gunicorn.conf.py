"""gunicorn's settings for the registry: `gunicorn -c gunicorn.conf.py registry.wsgi:app` (README, Production).

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
# Threads: a request waiting on the database (or a slow client) does not hold a whole process, and the
# worker's heartbeat goes on while a request waits, so gunicorn never kills a worker with the requests
# of its other threads. Each thread holds at most one database connection (SQLAlchemy's pool: 5 + 10).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Above DATABASE_STATEMENT_TIMEOUT (30 s) and DATABASE_CONNECT_TIMEOUT (5 s): a stalled database ends a
# request with the registry's own 503 («try again») long before gunicorn would give up on the worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# gunicorn answers a longer request line itself, with a bare 414. 8190 is its maximum (default 4094); the
# registry's own URLs stay far below it (search text is at most 200 characters, filters are short codes).
limit_request_line = 8190
# No max_requests: a recycled worker drops the keep-alive connections it holds, which clients see as errors.
