"""gunicorn settings, read from the working directory: `gunicorn 'app:create_app()'`.

Each setting can be changed through the environment without editing this file.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: Sync workers: pages are short and the database does the waiting. Put nginx (or another proxy that
#: buffers requests) in front, so that a slow phone connection never holds a worker.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
#: Load the app once in the master: an invalid survey config stops start-up before any worker runs,
#: and a recycled worker starts in milliseconds instead of re-importing everything. The app opens
#: no database connection while it is created, so the forked workers share none.
preload_app = True
#: Recycle workers now and then, so that no slow leak can grow for weeks.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
#: One access line per request, and every error, with unit links (secrets) replaced by their fingerprints.
logger_class = "logs.GunicornLogger"
#: Trust X-Forwarded-* only from the proxy on this machine.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
