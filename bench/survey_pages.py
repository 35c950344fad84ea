"""Benchmark: a unit's survey page (GET) and a draft save (POST) under gunicorn, as ratios.

    make bench-survey            # or: .venv/bin/python bench/survey_pages.py --help

The machine is shared and noisy, so the figures that count are ratios against a minimal Flask
endpoint served by the same gunicorn, with the same settings, in the same run. Each round
measures, one after the other, the minimal endpoint, the survey page and the save; the ratios are
taken within each round and the median over the rounds is compared with the targets of the issue:

- survey page requests/s >= 10% of the minimal endpoint's,
- save requests/s        >=  5% of the minimal endpoint's,
- the survey page's HTML + CSS + JS <= 60 kB (60,000 bytes) uncompressed.

Everything runs in a temporary directory: a fresh SQLite database filled by `flask demo`, and one
gunicorn on a free port of 127.0.0.1 that is stopped, and the directory removed, even on Ctrl-C.
See bench/README.md for what each printed figure means.
"""

import argparse
import collections
import contextlib
import csv
import html
import http.client
import io
import itertools
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.minimal_app import MINIMAL_PATH  # noqa: E402
from tests.answers import cell_report  # noqa: E402
from tests.pages import hidden_state, read_form  # noqa: E402

CELL_LEVEL = "chi_bo_truc_thuoc"
WSGI_APP = "bench.minimal_app:create_bench_app()"
HOST = "127.0.0.1"
PAGE_TARGET = 0.10
SAVE_TARGET = 0.05
WEIGHT_BUDGET = 60_000
#: A hard cap on the requests of one measured scenario, whatever the duration asked for.
MAX_REQUESTS_PER_SCENARIO = 50_000
REQUEST_TIMEOUT = 30


def main(argv=None):
    args = parse_args(argv)
    # Stop cleanly on Ctrl-C (even when started in the background, where SIGINT comes ignored) and kill.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    print_machine(args)
    started = time.monotonic()
    with BenchServer(args) as server:
        server.prepare_database()
        cells = server.cell_paths()
        server.start()
        recycling = "as in gunicorn.conf.py" if args.max_requests < 0 else args.max_requests or "off"
        print(f"gunicorn: gunicorn.conf.py with {args.workers} sync workers, access log off, worker recycling "
              f"{recycling} (up after {server.boot_seconds:.1f}s); {len(cells)} party cells")
        bench = Benchmark(server, cells, args)
        bench.warm_up()
        weight_ok = bench.report_page_weight()
        bench.measure()
        targets_ok = bench.report()
        server.report_log()
    print(f"\ntotal time {time.monotonic() - started:.0f}s")
    return 0 if weight_ok and targets_ok else 1


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--units", type=int, default=2000, help="units in the demo province")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per scenario and round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (minimal, page, save)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads, one connection each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--probe", type=int, default=300,
                        help="party cells opened during the warm-up; those showing a form are the GET set")
    parser.add_argument("--max-requests", type=int, default=0,
                        help="gunicorn max_requests for the run: 0 never recycles a worker, so that no ~1s "
                             "worker restart lands in one scenario; -1 keeps gunicorn.conf.py's 2000 +- 200")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if min(args.units, args.rounds, args.concurrency, args.workers, args.probe) < 1 or args.seconds <= 0:
        parser.error("every count and duration must be positive")
    return args


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def print_machine(args):
    try:
        load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        load = "?"
    print(f"tongket survey benchmark: {os.cpu_count()} CPUs, load average {load}; {args.rounds} rounds x "
          f"{args.seconds:g}s per scenario, {args.concurrency} client threads, {args.units} demo units")


# --- The server: temporary database and one gunicorn ---------------------------------------------


class BenchServer:
    """A demo database in a temporary directory and one gunicorn serving bench/minimal_app.py."""

    def __init__(self, args):
        self.args = args
        self.port = free_port()
        self.tmp = Path(tempfile.mkdtemp(prefix="tongket-bench-"))
        self.process = None
        self.log_path = self.tmp / "gunicorn.log"
        self.boot_seconds = None
        self.env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{self.tmp / 'bench.sqlite3'}",
            SECRET_KEY=secrets.token_hex(32),
            GUNICORN_BIND=f"{HOST}:{self.port}",
            GUNICORN_ACCESS_LOG="/dev/null",
            WEB_CONCURRENCY=str(args.workers),
            SESSION_COOKIE_SECURE="0",
            PYTHONDONTWRITEBYTECODE="1",
        )
        self.env.pop("FLASK_RUN_FROM_CLI", None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        try:
            self.stop()
        finally:
            # Even when a second Ctrl-C lands while gunicorn shuts down (it already has its SIGTERM).
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False

    def flask(self, *arguments):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *arguments], cwd=ROOT,
                                env=self.env, capture_output=True, text=True, timeout=300)
        if result.returncode:
            raise SystemExit(f"flask {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def prepare_database(self):
        started = time.monotonic()
        self.flask("db", "upgrade")
        summary = self.flask("demo", "--units", str(self.args.units), "--seed", str(self.args.seed)).strip()
        print(f"demo province: {summary} ({time.monotonic() - started:.1f}s)")

    def cell_paths(self):
        """Return the survey paths (/s/<token>) of every party cell."""
        output = self.flask("units", "links", "--base-url", f"http://{HOST}:{self.port}")
        paths = [urlsplit(row["url"]).path for row in csv.DictReader(io.StringIO(output))
                 if row["level"] == CELL_LEVEL]
        if not paths:
            raise SystemExit("the demo province has no party cell")
        return paths

    def start(self):
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--no-control-socket"]
        if self.args.max_requests >= 0:
            command += ["--max-requests", str(self.args.max_requests)]
        started = time.monotonic()
        with open(self.log_path, "wb") as log:
            # A session of its own, so that stopping it reaches the master and its workers only.
            self.process = subprocess.Popen([*command, WSGI_APP], cwd=ROOT, env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        while time.monotonic() - started < 60:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            try:
                if Client(self.port, timeout=2).request("GET", MINIMAL_PATH).status == 200:
                    self.boot_seconds = time.monotonic() - started
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer within 60s:\n{self.log()}")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def worker_boots(self):
        return self.log().count("Booting worker")

    def report_log(self):
        text = self.log()
        recycled = max(0, text.count("Booting worker") - self.args.workers)
        problems = [line for line in text.splitlines()
                    if any(word in line for word in ("[ERROR]", "[CRITICAL]", "Traceback", "WORKER TIMEOUT"))]
        print(f"\ngunicorn: {recycled} worker restarts during the run (max_requests recycling); "
              f"{len(problems)} error lines in its log")
        for line in problems[:10]:
            print(f"  {line}")

    def revision_count(self):
        """Return how many revisions the database holds (straight from the SQLite file)."""
        with contextlib.closing(sqlite3.connect(self.tmp / "bench.sqlite3", timeout=30)) as connection:
            return connection.execute("SELECT count(*) FROM revisions").fetchone()[0]

    def cpu_seconds(self):
        """Return the CPU seconds used so far by gunicorn: master, live workers and reaped workers."""
        if self.process is None:
            return None
        return process_tree_cpu(self.process.pid)


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- CPU accounting from /proc (Linux); None elsewhere --------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as file:
        text = file.read()
    # The command name, in parentheses, may hold spaces; the fields after it are numbers.
    return text[text.rindex(")") + 2:].split()


def process_tree_cpu(master):
    """CPU seconds of a master and its children, including the children it has already reaped."""
    try:
        fields = _stat_fields(master)
        # utime, stime, cutime, cstime are fields 14-17 of stat; index 11-14 after the name.
        total = sum(int(value) for value in fields[11:15])
        for entry in os.listdir("/proc"):
            if entry.isdigit() and entry != str(master):
                try:
                    child = _stat_fields(entry)
                except OSError:
                    continue
                if child[1] == str(master):
                    total += int(child[11]) + int(child[12])
        return total / TICKS
    except (OSError, ValueError, IndexError):
        return None


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (all cores), or None without /proc/stat."""
    try:
        with open("/proc/stat") as file:
            values = [int(value) for value in file.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / TICKS


# --- The client -----------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: object
    body: bytes


class Client:
    """An HTTP/1.1 client with its own cookie jar. gunicorn's sync workers close every connection
    after one response; http.client then opens a new one for the next request by itself."""

    def __init__(self, port, timeout=REQUEST_TIMEOUT):
        self.connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
        self.cookies = {}

    def cookie_header(self):
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(self, method, path, body=None, cookie=None):
        """Send one request; `cookie` replaces the jar for this request and the answer's cookies are
        then not kept (a save's flash message must not pile up in the session)."""
        headers = {"Host": f"{HOST}:{self.connection.port}", "Accept-Encoding": "identity",
                   "User-Agent": "tongket-bench"}
        sent_cookie = self.cookie_header() if cookie is None else cookie
        if sent_cookie:
            headers["Cookie"] = sent_cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        if cookie is None:
            for value in response.headers.get_all("Set-Cookie") or ():
                name, _, rest = value.partition("=")
                value = rest.split(";", 1)[0]
                if value and "expires=thu, 01 jan 1970" not in rest.lower():
                    self.cookies[name.strip()] = value
                else:
                    self.cookies.pop(name.strip(), None)
        return Answer(response.status, response.headers, data)

    def close(self):
        self.connection.close()


class LightClient:
    """The client of the measured requests: as little CPU per request as Python allows, since it
    shares the two cores with the server. One connection per request, as gunicorn's sync workers
    close every connection anyway: send the request with "Connection: close", read until the
    server closes, split the headers off. Cookies are given per request; none are kept."""

    def __init__(self, port, timeout=REQUEST_TIMEOUT):
        self.address = (HOST, port)
        self.timeout = timeout
        self.head = f"Host: {HOST}:{port}\r\nConnection: close\r\nAccept-Encoding: identity\r\n"

    def request(self, method, path, body=None, cookie=None):
        head = f"{method} {path} HTTP/1.1\r\n{self.head}"
        if cookie:
            head += f"Cookie: {cookie}\r\n"
        if body is not None:
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        data = (head + "\r\n").encode("latin-1") + (body or b"")
        chunks = []
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(self.timeout)
            sock.connect(self.address)
            sock.sendall(data)
            while chunk := sock.recv(262144):
                chunks.append(chunk)
        headers, _, content = b"".join(chunks).partition(b"\r\n\r\n")
        if not headers.startswith(b"HTTP/1."):
            raise http.client.BadStatusLine(headers[:80].decode(errors="replace"))
        return Answer(int(headers[9:12]), headers, content)

    def close(self):
        pass


# --- Load ---------------------------------------------------------------------------------------


@dataclass
class Run:
    """The outcome of one scenario in one round."""

    scenario: str
    latencies: list = field(default_factory=list)
    ok: int = 0
    errors: collections.Counter = field(default_factory=collections.Counter)
    error_samples: dict = field(default_factory=dict)
    seconds: float = 0.0
    client_cpu: float | None = None
    server_cpu: float | None = None
    machine_cpu: float | None = None
    #: The save ran out of prepared forms before its time was up.
    exhausted: bool = False
    #: gunicorn workers (re)booted during the run: a restart costs a worker about a second.
    restarts: int = 0

    @property
    def rps(self):
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def requests(self):
        return self.ok + sum(self.errors.values())


def run_load(scenario, make_job, concurrency, seconds, server, client_class=LightClient):
    """Run `job(client)` on `concurrency` threads until `seconds` pass or a job returns None.

    A job sends one request and returns (ok, latency, error key, error sample); only what the job
    times counts. Threads stop together, so that the rate is never taken over a tail of stragglers.
    """
    run = Run(scenario)
    lock = threading.Lock()
    stop = threading.Event()
    deadline = time.perf_counter() + seconds
    budget = itertools.count()

    def worker(index):
        job = make_job(index)
        client = client_class(server.port)
        try:
            while not stop.is_set() and time.perf_counter() < deadline:
                if next(budget) >= MAX_REQUESTS_PER_SCENARIO:
                    break
                try:
                    result = job(client)
                except Exception as error:  # a bug in a job: counted, and the run goes on
                    result = (False, 0.0, f"client {type(error).__name__}", repr(error))
                if result is None:  # nothing more to send
                    break
                ok, latency, error, sample = result
                with lock:
                    run.latencies.append(latency)
                    if ok:
                        run.ok += 1
                    else:
                        run.errors[error] += 1
                        run.error_samples.setdefault(error, sample)
        finally:
            client.close()
            stop.set()

    boots = server.worker_boots()
    cpu_before, server_before, machine_before = time.process_time(), server.cpu_seconds(), machine_busy_seconds()
    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    finally:
        stop.set()
    # Requests still in flight when the first thread stopped were finished by the others and are
    # counted; the rate is taken up to the last of them, which is when the server was last busy.
    run.seconds = time.perf_counter() - start
    run.client_cpu = time.process_time() - cpu_before
    server_after, machine_after = server.cpu_seconds(), machine_busy_seconds()
    if server_before is not None and server_after is not None:
        run.server_cpu = server_after - server_before
    if machine_before is not None and machine_after is not None:
        run.machine_cpu = machine_after - machine_before
    run.restarts = server.worker_boots() - boots
    return run


def timed(client, method, path, body=None, cookie=None):
    """Send a request and return (answer or exception, seconds)."""
    started = time.perf_counter()
    try:
        answer = client.request(method, path, body=body, cookie=cookie)
    except (OSError, http.client.HTTPException) as error:
        return error, time.perf_counter() - started
    return answer, time.perf_counter() - started


def outcome(answer, latency, expected, check=None):
    if isinstance(answer, Exception):
        return False, latency, type(answer).__name__, str(answer)
    if answer.status != expected:
        return False, latency, f"HTTP {answer.status}", describe_error(answer)
    if check and not check(answer):
        return False, latency, "unexpected body", answer.body[:300].decode(errors="replace")
    return True, latency, None, None


HIDDEN_INPUT = re.compile(rb'<input\b[^>]*\bname="(csrf_token|form_state)"[^>]*>')
INPUT_VALUE = re.compile(rb'\bvalue="([^"]*)"')


def quick_hidden_state(body):
    """Return the csrf_token and form_state of a page, as tests/pages.py's hidden_state() does but
    some hundred times faster: the client must leave the cores to the server."""
    state = {}
    for match in HIDDEN_INPUT.finditer(body):
        value = INPUT_VALUE.search(match.group(0))
        state[match.group(1).decode()] = html.unescape(value.group(1).decode()) if value else ""
    return state


def describe_error(answer):
    """Say briefly why a page answered as it did: its alerts and error messages."""
    text = answer.body.decode(errors="replace")
    reader = read_form(text)
    alerts = []
    for marker in ('class="alert', 'class="error-summary'):
        start = text.find(marker)
        if start >= 0:
            alerts.append(" ".join(text[start:start + 400].split()))
    messages = [" ".join(error.split()) for error in reader.errors]
    return "; ".join([*alerts[:1], *messages[:5]]) or text[:300]


# --- The benchmark ----------------------------------------------------------------------------------


class Benchmark:
    def __init__(self, server, cells, args):
        self.server = server
        self.args = args
        self.rng = random.Random(args.seed)
        self.save_cells = self.rng.sample(cells, len(cells))
        self.save_offset = 0
        self.probe_cells = self.save_cells[:args.probe]
        self.page_cells = []
        self.page_sizes = {}
        self.page_cookie = None
        self.state_checked = False
        self.state_mismatch = None
        self.revisions_before = None
        self.rounds = []
        self.report_body = urlencode(cell_report(), doseq=True)

    def warm_up(self):
        """Open a sample of party cells on every worker (this also creates their responses), keep
        those whose page shows the form as the GET set, then warm the minimal endpoint and saves."""
        started = time.monotonic()
        queue = collections.deque(self.probe_cells)
        found = []

        def probe(_index):
            def job(client):
                try:
                    path = queue.popleft()
                except IndexError:
                    return None
                answer, latency = timed(client, "GET", path)
                if isinstance(answer, Answer) and answer.status == 200:
                    found.append((path, len(answer.body), b'name="form_state"' in answer.body))
                    self.page_cookie = client.cookie_header() or self.page_cookie
                return outcome(answer, latency, 200)
            return job

        warm = run_load("warm-up", probe, self.args.concurrency, 600, self.server, Client)
        check_errors(warm, fatal=True)
        self.page_cells = [path for path, _size, is_form in found if is_form]
        self.page_sizes = {path: size for path, size, is_form in found if is_form}
        if not self.page_cells:
            raise SystemExit("no probed party cell shows the survey form (is the deadline past?)")
        run_load("warm-up", self.minimal_job, self.args.concurrency, 1.0, self.server)
        self.run_saves(min(4 * self.args.concurrency, len(self.save_cells)), 600, warm=True)
        print(f"warm-up: {len(found)} party cells opened, {len(self.page_cells)} show the form "
              f"(the others show a submitted report); {time.monotonic() - started:.1f}s")

    def minimal_job(self, _index):
        def job(client):
            answer, latency = timed(client, "GET", MINIMAL_PATH)
            return outcome(answer, latency, 200, lambda a: a.body == b"ok")
        return job

    def page_job(self, index):
        paths = self.page_cells
        counter = itertools.count(index * len(paths) // self.args.concurrency)

        def job(client):
            # With the session cookie of the warm-up, as a person who comes back to the page.
            answer, latency = timed(client, "GET", paths[next(counter) % len(paths)], cookie=self.page_cookie)
            return outcome(answer, latency, 200, lambda a: b'name="form_state"' in a.body)
        return job

    def prepare_saves(self, count):
        """GET `count` distinct party cells' forms (untimed) and return what each POST will send:
        the path, the cookie of the jar that made the GET, and the body with that GET's
        csrf_token and fresh one-time form_state."""
        paths = [self.save_cells[(self.save_offset + i) % len(self.save_cells)] for i in range(count)]
        self.save_offset = (self.save_offset + count) % len(self.save_cells)
        queue = collections.deque(paths)
        prepared = collections.deque()

        def fetch(_index):
            def job(client):
                try:
                    path = queue.popleft()
                except IndexError:
                    return None
                # ?edit shows the form of a submitted report too, as its "correct" link does.
                answer, latency = timed(client, "GET", f"{path}?edit=1")
                if isinstance(answer, Answer) and answer.status == 200 and b'name="form_state"' in answer.body:
                    state = quick_hidden_state(answer.body)
                    if not self.state_checked:
                        # The quick reading must agree with the browser-like one of the tests.
                        self.state_checked = True
                        if state != hidden_state(answer.body.decode()):
                            self.state_mismatch = state
                    body = f"{self.report_body}&{urlencode({**state, 'action': 'save'})}"
                    prepared.append((path, client.cookie_header(), body.encode()))
                return outcome(answer, latency, 200)
            return job

        check_errors(run_load("prepare", fetch, self.args.concurrency, 600, self.server, Client), fatal=True)
        if self.state_mismatch is not None:
            raise SystemExit(f"quick_hidden_state() disagrees with tests/pages.py: {self.state_mismatch}")
        return prepared

    def run_saves(self, count, seconds, warm=False):
        prepared = self.prepare_saves(count)

        def save(_index):
            def job(client):
                try:
                    path, cookie, body = prepared.popleft()
                except IndexError:
                    return None
                answer, latency = timed(client, "POST", path, body=body, cookie=cookie)
                return outcome(answer, latency, 302)
            return job

        run = run_load("save POST", save, self.args.concurrency, seconds, self.server)
        if warm:
            check_errors(run, fatal=True)
        elif not prepared:
            run.exhausted = True
        return run

    def measure(self):
        print()
        print(ROW.format("round", "scenario", "requests", "errors", "req/s", "p50 ms", "p95 ms",
                         "srv ms/req", "client cpu", "other cpu", "notes"))
        save_estimate = None
        self.revisions_before = self.server.revision_count()
        for number in range(1, self.args.rounds + 1):
            minimal = run_load("minimal GET", self.minimal_job, self.args.concurrency, self.args.seconds,
                               self.server)
            page = run_load("survey GET", self.page_job, self.args.concurrency, self.args.seconds, self.server)
            # Enough fresh forms for the round at the best rate seen so far, within the cells there are;
            # if they run out early, the rate is simply taken over a shorter time.
            save_estimate = max(save_estimate or 0.0, page.rps, 1.0)
            count = min(len(self.save_cells),
                        math.ceil(save_estimate * self.args.seconds * 1.5) + 4 * self.args.concurrency)
            save = self.run_saves(count, self.args.seconds)
            save_estimate = max(save_estimate, save.rps)
            runs = (minimal, page, save)
            for run in runs:
                print_row(number, run)
                print_errors(run)
            self.rounds.append(runs)

    def report(self):
        minimal, page, save = (pooled([r[i] for r in self.rounds]) for i in range(3))
        print()
        for run in (minimal, page, save):
            print_row("all", run)
        page_ratios = [p.rps / m.rps for m, p, _s in self.rounds if m.rps]
        save_ratios = [s.rps / m.rps for m, _p, s in self.rounds if m.rps]
        print("\nratios against the minimal endpoint (same gunicorn, same run; median of the rounds)")
        page_ok = print_ratio("survey page req/s", page_ratios, PAGE_TARGET)
        save_ok = print_ratio("save POST req/s  ", save_ratios, SAVE_TARGET)
        for name, run in (("survey page", page), ("save POST  ", save)):
            print(f"  {name} p95 latency = {p95(run) / p95(minimal):5.1f} x the minimal endpoint's "
                  f"({p95(run) * 1000:.1f} ms vs {p95(minimal) * 1000:.1f} ms)")
        if all(r.server_cpu for r in (minimal, page, save)):
            print("  server CPU per request (gunicorn master + workers; independent of the client's share):")
            base = cpu_per_request(minimal)
            for name, run in (("survey page", page), ("save POST  ", save)):
                print(f"    {name} {cpu_per_request(run) * 1000:6.2f} ms = {cpu_per_request(run) / base:5.1f} x "
                      f"the minimal endpoint's {base * 1000:.2f} ms, i.e. {base / cpu_per_request(run):.1%} "
                      f"of its requests per CPU second")
        failed = sum(sum(run.errors.values()) for run in (minimal, page, save))
        if failed:
            print(f"  {failed} requests failed: see the error lines above")
        # A 302 is also what a repeated form gets, without saving anything: count the new revisions.
        saved = self.server.revision_count() - self.revisions_before
        verdict = "ok" if saved == save.ok else "MISMATCH"
        print(f"  saves checked in the database: {saved} new revisions for {save.ok} POSTs answered 302  {verdict}")
        return page_ok and save_ok and not failed and saved == save.ok

    def report_page_weight(self):
        """Fetch the lightest form page seen (a blank form), the heaviest (a draft with demo answers)
        and the CSS and JS they link. The budget is checked on the lightest: the page's own weight."""
        client = Client(self.server.port)
        blank = min(self.page_cells, key=self.page_sizes.get)
        heaviest = max(self.page_cells, key=self.page_sizes.get)
        pages = {}
        for name, path in (("lightest form", blank), ("heaviest form", heaviest)):
            pages[name] = client.request("GET", path).body
        assets = Assets()
        assets.feed(pages["lightest form"].decode())
        sizes = {}
        for url in assets.urls:
            answer = client.request("GET", urlsplit(url).path)
            if answer.status != 200:
                raise SystemExit(f"{url} answered {answer.status}")
            sizes[url] = len(answer.body)
        assets_total = sum(sizes.values())
        print("\npage weight, uncompressed (budget: HTML + CSS + JS <= 60 kB = 60,000 bytes)")
        for url, size in sizes.items():
            print(f"  {size:8,} B  {url}")
        ok = True
        for name, body in pages.items():
            total = len(body) + assets_total
            verdict = "PASS" if total <= WEIGHT_BUDGET else "FAIL"
            # A blank form has no answer: no checked choice and no text between its textarea tags.
            blank = b" checked>" not in body and not re.search(rb">[^<]+</textarea>", body)
            if name == "lightest form":
                ok = total <= WEIGHT_BUDGET
            else:
                verdict += " (information: demo answers included)"
            print(f"  {len(body):8,} B  HTML of the {name} seen{' (blank)' if blank else ''}: total {total:,} B "
                  f"= {total / WEIGHT_BUDGET:.0%} of the budget  {verdict}")
        if assets.inline:
            print(f"  note: {assets.inline} inline <script> or <style> blocks (counted in the HTML)")
        return ok


class Assets(HTMLParser):
    """Collect the stylesheets and scripts a page links."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.inline = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            else:
                self.inline += 1
        elif tag == "style":
            self.inline += 1


# --- Figures --------------------------------------------------------------------------------------

ROW = "{:>5}  {:<11} {:>8} {:>6} {:>8} {:>7} {:>7} {:>10} {:>10} {:>10}  {}"


def pooled(runs):
    total = Run(runs[0].scenario)
    for run in runs:
        total.latencies += run.latencies
        total.ok += run.ok
        total.errors.update(run.errors)
        total.seconds += run.seconds
        total.restarts += run.restarts
    for name in ("client_cpu", "server_cpu", "machine_cpu"):
        values = [getattr(run, name) for run in runs]
        setattr(total, name, None if None in values else sum(values))
    return total


def p95(run):
    return percentile(run.latencies, 95)


def percentile(values, pct):
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def cpu_per_request(run):
    return run.server_cpu / run.requests if run.requests else float("nan")


def print_row(label, run):
    def cores(value):
        return "-" if value is None else f"{value / run.seconds:.2f} cores"

    other = None
    if None not in (run.machine_cpu, run.server_cpu, run.client_cpu):
        other = max(0.0, run.machine_cpu - run.server_cpu - run.client_cpu)
    server = "-" if not run.server_cpu or not run.requests else f"{cpu_per_request(run) * 1000:.2f}"
    notes = []
    if run.exhausted:
        notes.append(f"all prepared forms posted in {run.seconds:.1f}s")
    if run.restarts:
        notes.append(f"{run.restarts} worker restart(s)")
    print(ROW.format(label, run.scenario, run.requests, sum(run.errors.values()), f"{run.rps:.1f}",
                     f"{percentile(run.latencies, 50) * 1000:.1f}", f"{p95(run) * 1000:.1f}", server,
                     cores(run.client_cpu), cores(other), "; ".join(notes)))


def print_errors(run):
    for error, count in run.errors.most_common():
        print(f"       ! {count} x {error}: {run.error_samples.get(error, '')[:300]}")


def check_errors(run, fatal=False):
    if run.errors:
        print_errors(run)
        if fatal:
            raise SystemExit(f"{run.scenario}: {sum(run.errors.values())} requests failed")


def print_ratio(name, ratios, target):
    if not ratios:
        print(f"  {name}: no measurement")
        return False
    median = statistics.median(ratios)
    verdict = "PASS" if median >= target else "FAIL"
    spread = ", ".join(f"{ratio:.1%}" for ratio in ratios)
    print(f"  {name} = {median:6.1%} of the minimal endpoint's  (rounds: {spread})  "
          f"target >= {target:.0%}  {verdict}")
    return median >= target


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn stopped and the temporary database removed", file=sys.stderr)
        sys.exit(130)
