"""gunicorn settings, read from the working directory: `gunicorn 'app:create_app()'`.

Each setting can be changed through the environment without editing this file.

A buffering proxy (nginx) in front is required, not optional: a sync worker is held for as long as its
client takes to send the request and read the answer, so six phones on a slow connection would hold all
five workers of a 2-core machine, and every other unit and committee would wait. nginx reads the whole
request and takes the whole answer at once, so a worker is held for the milliseconds the app needs.
"""

import multiprocessing
import os
import subprocess
import sys

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: Sync workers: pages are short and the database does the waiting. 2 × cores + 1: five on two cores.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
#: The longest request now lasts some 15 s (1,000 printed invitations; a save waiting for SQLite's 15 s busy
#: timeout). A download is sent at once only if its measured work fits a share of this timeout, shared with
#: the other workers (config.py reads the same two variables: EXPORT_AT_ONCE_SECONDS, downloads/at_once.py);
#: a larger one (90 s for a 50,000-unit workbook) is written by a job in a thread of the worker, not within a
#: request, so the timeout need not cover it. A worker stuck for longer than this is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
#: On a restart (HUP) or stop, a worker ends its request and a running export job has this long to finish;
#: a job cut short shows as failed on its page and starts again with one click.
graceful_timeout = 30
#: Load the app once in the master: an invalid survey config stops start-up before any worker runs,
#: and a recycled worker starts in milliseconds instead of re-importing everything. The app opens
#: no database connection while it is created, so the forked workers share none.
preload_app = True
#: No recycling after a number of requests: gunicorn stops a worker after the request that reaches the
#: count, and the export job its thread may be writing (for minutes) would end half-way. Nothing grows
#: with requests (the workbook is written in constant memory); a restart (`kill -HUP` on the master) at a
#: quiet hour renews the workers if it is ever needed. Set GUNICORN_MAX_REQUESTS only with that in mind.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
#: One access line per request, and every error, with unit links (secrets) replaced by their fingerprints.
logger_class = "logs.GunicornLogger"
#: The app reads the proxy's X-Forwarded-For and X-Forwarded-Proto itself, from the PROXY_HOPS proxies
#: in front (config.py); gunicorn trusts none of them, so that the two can never disagree on who the
#: client is or whether it came over HTTPS. Keep `bind` on 127.0.0.1: only the proxy may reach gunicorn.
forwarded_allow_ips = ""


#: The text analyser (`flask narratives follow`) beside the workers: a save leaves its narrative texts and the
#: analyser, at a lower priority, stores, links and analyses them (consolidation/answer_texts.py). One per
#: database is enough; TEXT_ANALYSER=0 where another gunicorn on the same database, or a service of its own,
#: runs it.
text_analyser = os.environ.get("TEXT_ANALYSER", "1") != "0"


def when_ready(server):
    """Load the word segmenter's model in the master, before the workers are forked: they share it, and no
    worker makes the first reader of a reading page wait for it (consolidation/segmentation.py). Then start
    the text analyser."""
    from consolidation.segmentation import words

    words("Chi bộ họp")
    if text_analyser:
        server.text_analyser = subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "narratives", "follow"])
        server.log.info("Text analyser started (pid %s)", server.text_analyser.pid)


def on_exit(server):
    """Stop the text analyser with gunicorn: it ends the batch it is writing, if any."""
    analyser = getattr(server, "text_analyser", None)
    if analyser is not None:
        analyser.terminate()
        try:
            analyser.wait(graceful_timeout)
        except subprocess.TimeoutExpired:
            analyser.kill()
