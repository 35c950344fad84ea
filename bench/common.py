"""What the benchmarks share: a demo database (SQLite, or PostgreSQL in a database of its own), one
gunicorn, a light HTTP client, a load runner with CPU counters, the ratio table, a profile summary, and
the warning when the app's sources change.

The machine is shared and noisy, so the figures that count are ratios between runs made a few seconds
apart in the same run, and the verdicts take the median over rounds. Importing this module puts the
project root on sys.path, so that the scripts can import the app after it.
"""

import argparse
import collections
import contextlib
import cProfile
import gc
import hashlib
import io
import itertools
import json
import os
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from werkzeug.datastructures import MultiDict
from werkzeug.test import encode_multipart

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
MINIMAL_PATH = "/bench/minimal"  # the route of bench/minimal_app.py
TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


# --- Command line, start and end of a run -------------------------------------------------------------


def parser(doc, load=True):
    """Return an argument parser whose description is the script's first paragraph; `load` adds the
    knobs of the HTTP benchmarks."""
    result = argparse.ArgumentParser(description=doc.split("\n\n")[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    result.add_argument("--seed", type=int, default=1, help="passed to flask demo")
    if load:
        result.add_argument("--rounds", type=int, default=5, help="rounds of (minimal endpoint, each scenario)")
        result.add_argument("--seconds", type=float, default=3.0, help="measured seconds per scenario and round")
        result.add_argument("--concurrency", type=int, default=4, help="client threads")
        result.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    return result


def run_benchmark(main, title):
    """Run main() -> ok, and exit 0 only if it passed and no app source changed meanwhile; 130 on Ctrl-C."""
    # Ctrl-C works even when started in the background (where SIGINT comes ignored); kill is an interruption.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)
    print(f"tongket {title}: {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}", flush=True)
    started, sources = time.monotonic(), source_digests()
    try:
        ok = main()
    except KeyboardInterrupt:
        print("\ninterrupted; everything the benchmark made is removed", file=sys.stderr)
        sys.exit(130)
    after = source_digests()
    changed = sorted(path for path in sources.keys() | after.keys() if sources.get(path) != after.get(path))
    if changed:
        print(f"\nWARNING: app files changed during the run, so it may have measured different code: "
              f"{', '.join(changed[:8])}")
    print(f"\ntotal time {time.monotonic() - started:.0f}s")
    sys.exit(0 if ok and not changed else 1)


def interrupt(_signum, _frame):
    raise KeyboardInterrupt


# --- Children: one fresh process per timed run ------------------------------------------------------------

#: What a child prints before its JSON result, so that anything it printed before does not matter.
CHILD_RESULT = "BENCH-RESULT "


def child_runner(script):
    """Return run_child(mode, demo, **spec) for the benchmark `script` (its __file__)."""

    def run_child(mode, demo, **spec):
        """Run the script in a fresh process in `mode`; return its result, or for a profile its output."""
        done = subprocess.run([sys.executable, script, "--child", mode, json.dumps(spec)], cwd=ROOT, env=demo.env,
                              capture_output=True, text=True, timeout=3600)
        if done.returncode:
            raise SystemExit(f"the {mode} child failed:\n{(done.stdout + done.stderr)[-5000:]}")
        if mode == "profile":
            return done.stdout
        return json.loads(done.stdout.rpartition(CHILD_RESULT)[2])

    return run_child


def run_benchmark_or_child(main, title, children):
    """Run the benchmark; or, started by run_child with --child MODE SPEC, the child `children[MODE]`, and
    print its result."""
    if sys.argv[1:2] == ["--child"]:
        result = children[sys.argv[2]](json.loads(sys.argv[3]))
        if result is not None:
            print(CHILD_RESULT + json.dumps(result))
    else:
        run_benchmark(main, title)


def source_digests():
    """Return {path: digest} of the app's sources (contents, not times: `make translations` rewrites
    the same .mo files). The working tree may be shared while a benchmark runs."""
    skipped = {".venv", ".git", "bench", "tests", "instance", "node_modules", "__pycache__"}
    digests = {}
    for directory, subdirectories, files in os.walk(ROOT):
        subdirectories[:] = [name for name in subdirectories if name not in skipped]
        for name in files:
            if name.endswith((".py", ".html", ".yaml", ".mo")):
                path = Path(directory, name)
                with contextlib.suppress(OSError):
                    digests[str(path.relative_to(ROOT))] = hashlib.sha1(path.read_bytes()).hexdigest()
    return digests


# --- The demo database and the server -------------------------------------------------------------------


#: What a built province depends on besides its units and seed: the generator and the analysis it stores.
#: (text_analysis.py's ANALYSIS_VERSION changes with the segmenter or the signature, which live elsewhere.)
PROVINCE_SOURCES = ("demo/province.py", "demo/narratives.json", "consolidation/text_analysis.py",
                    "consolidation/answer_texts.py", "consolidation/sentences.py", "consolidation/text_folding.py",
                    "schema/demo_text.py", "surveys", "models/base.py")


def province_key():
    """The migration head and a digest of the sources a demo province's rows come from."""
    head = max(path.name.split("_", 1)[0] for path in (ROOT / "migrations" / "versions").glob("*.py"))
    return f"{head}-{province_digest()}"


def province_digest():
    digest = hashlib.sha1()
    for name in PROVINCE_SOURCES:
        path = ROOT / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


class Demo:
    """A demo province in a temporary directory (SQLite file, temporary files), removed at the end;
    or in the empty database at `database_url` (see postgresql_database), with its temporary files there."""

    def __init__(self, units, seed=1, database_url=None):
        self.units, self.seed = units, seed
        self.folder = Path(tempfile.mkdtemp(prefix=f"tongket-bench-{units}-"))
        (self.folder / "tmp").mkdir()
        #: The SQLite file; None on PostgreSQL.
        self.database = None if database_url else self.folder / "bench.sqlite3"
        self.url = database_url or f"sqlite:///{self.database}"
        self.secret_key = secrets.token_hex(32)
        self.env = dict(os.environ, DATABASE_URL=self.url, SECRET_KEY=self.secret_key,
                        # XlsxWriter's and SQLite's temporary files go here too, for every process.
                        TMPDIR=str(self.folder / "tmp"), SQLITE_TMPDIR=str(self.folder / "tmp"),
                        SESSION_COOKIE_SECURE="0", PYTHONDONTWRITEBYTECODE="1")
        self.env.pop("FLASK_RUN_FROM_CLI", None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.folder, ignore_errors=True)

    def flask(self, *arguments, stdin=None):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", *arguments], cwd=ROOT, env=self.env,
                                input=stdin, capture_output=True, text=True, timeout=3600)
        if result.returncode:
            raise SystemExit(f"flask {' '.join(arguments)} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    @contextlib.contextmanager
    def app(self):
        """Yield the bench app created in this process on this database; close its connections at the end."""
        # Imported here: the export's raw writer imports this module and must not hold the app.
        from minimal_app import create_bench_app

        from config import database_url
        from models import db

        app = create_bench_app({"SQLALCHEMY_DATABASE_URI": database_url(self.url, ""), "SECRET_KEY": self.secret_key})
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()

    def build(self, cache=None):
        """Build the province; on SQLite with a `cache` folder (default: $TONGKET_BENCH_CACHE, if set), copy
        it from there when it was built before, with the same units, seed and generator, and bring its tables
        up to date (a migration added since needs no new province)."""
        cache = os.environ.get("TONGKET_BENCH_CACHE") if cache is None else cache
        cached = Path(cache) / f"{self.units}-{self.seed}-{province_key()}.sqlite3" if cache and self.database else None
        built_before = cached and max(cached.parent.glob(f"{self.units}-{self.seed}-*-{province_digest()}.sqlite3"),
                                      default=None)
        if built_before:
            shutil.copyfile(built_before, self.database)
            self.flask("db", "upgrade")
            print(f"demo province: {built_before} from the cache ({built_before.stat().st_size / MB:.0f} MB)",
                  flush=True)
            return self
        started = time.monotonic()
        self.flask("db", "upgrade")
        summary = self.flask("demo", "--units", str(self.units), "--seed", str(self.seed)).strip()
        size = f"{self.database.stat().st_size / MB:.0f} MB, " if self.database else ""
        print(f"demo province: {summary} ({size}built in {time.monotonic() - started:.1f}s, untimed)", flush=True)
        if cached:
            cached.parent.mkdir(parents=True, exist_ok=True)
            part = cached.with_suffix(f".{os.getpid()}.part")
            shutil.copyfile(self.database, part)
            part.rename(cached)
            print(f"kept in the cache as {cached}", flush=True)
        return self



@contextlib.contextmanager
def postgresql_database(server_url):
    """Create an empty database of this run's own on the PostgreSQL server at `server_url` (a libpq URL
    of any database there); yield its URL; drop it at the end, even after Ctrl-C."""
    name = f"tongket_bench_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(server_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def vacuum_postgresql(database_url):
    """VACUUM the database at `database_url`, as autovacuum does on a production server soon after a large load
    (this machine's server runs without it): the tables' visibility maps let a count read its indexes alone."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM")


def postgresql_cpu_seconds(database_url):
    """CPU seconds of the PostgreSQL backends serving the database at `database_url` (found by their
    process title, "postgres: ... user database host(port) state"); None unless the server runs here."""
    name = f" {urlsplit(database_url).path.lstrip('/')} "
    total, found = 0, False
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                with open(f"/proc/{entry}/cmdline", "rb") as file:
                    title = file.read().decode(errors="replace")
                if title.startswith("postgres:") and name in title:
                    fields = process_stat(entry)
                    total, found = total + int(fields[11]) + int(fields[12]), True
    return total / TICKS if found else None


def process_stat(pid):
    """Return the fields of /proc/PID/stat after the command name (utime is [11], stime [12])."""
    with open(f"/proc/{pid}/stat") as file:
        text = file.read()
    return text[text.rindex(")") + 2:].split()


class Gunicorn:
    """One gunicorn with the project's gunicorn.conf.py serving bench/minimal_app.py on a free port of
    127.0.0.1, access log off and no worker recycling: a worker restart takes about a second, which
    would fall into whichever scenario is running. Stopped at the end, master and workers."""

    def __init__(self, demo, workers):
        with socket.socket() as sock:
            sock.bind((HOST, 0))
            self.port = sock.getsockname()[1]
        self.workers, self.log_path = workers, demo.folder / "gunicorn.log"
        env = dict(demo.env, GUNICORN_BIND=f"{HOST}:{self.port}", GUNICORN_ACCESS_LOG="/dev/null",
                   WEB_CONCURRENCY=str(workers))
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
                   "--max-requests", "0", "bench.minimal_app:create_bench_app()"]
        with open(self.log_path, "wb") as log:
            # A session of its own, so that stopping it reaches the master and its workers only.
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        try:
            self.wait_until_up()
        except BaseException:  # Ctrl-C included: the with block that would stop it is not entered yet
            self.__exit__()
            raise

    def wait_until_up(self):
        started = time.monotonic()
        while time.monotonic() - started < 60:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError, ValueError):
                if request(self.port, "GET", MINIMAL_PATH, timeout=2).status == 200:
                    print(f"gunicorn: gunicorn.conf.py, {self.workers} sync workers, access log off, no worker "
                          f"recycling; up after {time.monotonic() - started:.1f}s", flush=True)
                    return
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not answer within 60s:\n{self.log()}")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is not None:
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

    def report_log(self):
        text = self.log()
        problems = [line for line in text.splitlines()
                    if any(word in line for word in ("[ERROR]", "[CRITICAL]", "Traceback", "WORKER TIMEOUT"))]
        restarts = max(0, text.count("Booting worker") - self.workers)
        print(f"gunicorn: {restarts} worker restarts, {len(problems)} error lines in its log")
        for line in problems[:10]:
            print(f"  {line}")

    def cpu_seconds(self):
        """CPU seconds of the master and its workers, including the workers it has reaped."""
        master = self.process.pid
        with contextlib.suppress(OSError, ValueError):
            total = sum(int(value) for value in process_stat(master)[11:15])  # utime stime cutime cstime
            for entry in os.listdir("/proc"):
                if entry.isdigit() and entry != str(master):
                    with contextlib.suppress(OSError):
                        fields = process_stat(entry)
                        if fields[1] == str(master):
                            total += int(fields[11]) + int(fields[12])
            return total / TICKS
        return None


def memory_kb():
    """Return this process's resident memory and its peak (VmRSS, VmHWM) in kB. Not ru_maxrss: on Linux a
    child's starts at its parent's peak when it was spawned."""
    with open("/proc/self/status") as status:
        values = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS:", "VmHWM:")))
    return int(values["VmRSS"].split()[0]), int(values["VmHWM"].split()[0])


def timed(work):
    """Run work() and return wall and CPU time, the cores other processes kept busy, and memory: resident
    before, and the peak while working (VmHWM, reset to the current size just before)."""
    gc.collect()
    base_kb, _peak = memory_kb()
    with open("/proc/self/clear_refs", "w") as file:
        file.write("5")
    busy, cpu, started = machine_busy_seconds(), time.process_time(), time.perf_counter()
    value = work()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    others = max(0.0, machine_busy_seconds() - busy - cpu) / seconds
    return value, {"seconds": seconds, "cpu": cpu, "others": others, "base_kb": base_kb, "peak_kb": memory_kb()[1]}


def machine_busy_seconds():
    """CPU seconds the whole machine has spent busy (all cores, steal included), from /proc/stat."""
    with open("/proc/stat") as file:
        values = [int(value) for value in file.readline().split()[1:9]]
    return (sum(values) - values[3] - values[4]) / TICKS


# --- The client -------------------------------------------------------------------------------------------

SET_COOKIE = re.compile(rb"^set-cookie:\s*([^=\s]+)=([^;\r\n]*)", re.IGNORECASE | re.MULTILINE)
LOCATION = re.compile(rb"^location:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
HIDDEN_INPUT = re.compile(rb'<input\b[^>]*\bname="(csrf_token|form_state)"[^>]*\bvalue="([^"]*)"')


@dataclass
class Answer:
    status: int
    headers: bytes
    body: bytes

    @property
    def cookies(self):
        return {name.decode(): value.decode() for name, value in SET_COOKIE.findall(self.headers)}

    @property
    def location(self):
        """Return the path (and query) a redirect points to; None if it is not a redirect."""
        match = LOCATION.search(self.headers)
        if match is None:
            return None
        target = urlsplit(match.group(1).decode("latin-1"))
        return target.path + (f"?{target.query}" if target.query else "")


URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = b'enctype="multipart/form-data"'


def form_body(page, fields):
    """Return (body, content type) of the (name, value) `fields` posted as the form of `page` (its HTML) is
    sent by a browser: multipart where the form says so, else URL-encoded."""
    if MULTIPART in page:
        boundary, body = encode_multipart(MultiDict(fields))
        return body, f"multipart/form-data; boundary={boundary}"
    return urlencode(fields).encode(), URLENCODED


def request(port, method, path, body=None, cookie=None, timeout=30, accept_encoding="identity",
            content_type=URLENCODED):
    """Send one request on a new connection and read until the server closes it.

    The client shares the two cores with the server, so it must cost as little as possible: a raw
    socket, one connection per request (gunicorn's sync workers close every connection anyway).
    With http.client the minimal endpoint's rate read about a third lower.
    """
    head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nConnection: close\r\n"
            f"Accept-Encoding: {accept_encoding}\r\n")
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    if body is not None:
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    chunks = []
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect((HOST, port))
        sock.sendall((head + "\r\n").encode("latin-1") + (body or b""))
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    headers, _, content = b"".join(chunks).partition(b"\r\n\r\n")
    if not headers.startswith(b"HTTP/1."):
        raise ValueError(f"not an HTTP answer: {headers[:80]!r}")
    return Answer(int(headers[9:12]), headers, content)


def cookie_header(*answers):
    """Return the Cookie header a browser would send after these answers."""
    jar = {}
    for answer in answers:
        jar.update(answer.cookies)
    return "; ".join(f"{name}={value}" for name, value in jar.items() if value)


def hidden_fields(body):
    """Return a page's csrf_token and form_state (name before value, as WTForms and our templates write
    them), much faster than an HTML parser: the client must leave the cores to the server."""
    return {name.decode(): unescape(value.decode()) for name, value in HIDDEN_INPUT.findall(body)}


def why(body):
    """Say briefly why a page is not the expected one: its first alert or error message."""
    text = body.decode(errors="replace")
    match = re.search(r'class="(?:alert|error-summary|error-message)[^"]*"[^>]*>(.{0,300})', text, re.DOTALL)
    return " ".join(re.sub("<[^>]+>", " ", match.group(1) if match else text[:300]).split())


# --- Load -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    cookie: str | None = None
    status: int = 200
    #: The answer counts only if its body holds this.
    marker: bytes | None = None
    content_type: str = URLENCODED


def minimal_requests():
    return itertools.repeat(Request("GET", MINIMAL_PATH, marker=b"ok"))


@dataclass
class Run:
    """One scenario of one round."""

    scenario: str
    latencies: list = field(default_factory=list)
    ok: int = 0
    errors: collections.Counter = field(default_factory=collections.Counter)
    samples: dict = field(default_factory=dict)
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float | None = None
    machine_cpu: float = 0.0

    @property
    def rps(self):
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def requests(self):
        return self.ok + self.errors.total()

    def latency(self, pct):
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[pct - 1]

    @property
    def server_ms(self):
        """gunicorn's CPU per request, in ms: unlike req/s, independent of the client's share of the cores."""
        return 1000 * self.server_cpu / self.requests if self.server_cpu and self.requests else float("nan")

    @property
    def others(self):
        """Cores that other processes kept busy meanwhile: when high, the figures are noisy."""
        return max(0.0, self.machine_cpu - (self.server_cpu or 0.0) - self.client_cpu) / self.seconds


def check(port, spec):
    """Send one request; return None if it answered as expected, else (error kind, sample)."""
    try:
        answer = request(port, spec.method, spec.path, spec.body, spec.cookie, content_type=spec.content_type)
    except (OSError, ValueError) as error:
        return type(error).__name__, str(error)
    if answer.status != spec.status:
        return f"HTTP {answer.status}", why(answer.body)
    if spec.marker and spec.marker not in answer.body:
        return "unexpected body", why(answer.body)
    return None


def run_load(server, scenario, requests, seconds, concurrency):
    """Send `requests` from `concurrency` threads until `seconds` pass or the requests run out.
    The threads stop together, so that the rate is never taken over a tail of stragglers."""
    run = Run(scenario)
    source, lock, stop = iter(requests), threading.Lock(), threading.Event()
    deadline = time.perf_counter() + seconds

    def worker():
        try:
            while not stop.is_set() and time.perf_counter() < deadline:
                with lock:
                    spec = next(source, None)
                if spec is None:
                    return
                started = time.perf_counter()
                error = check(server.port, spec)
                latency = time.perf_counter() - started
                with lock:
                    run.latencies.append(latency)
                    if error is None:
                        run.ok += 1
                    else:
                        run.errors[error[0]] += 1
                        run.samples.setdefault(error[0], error[1])
        finally:
            stop.set()

    cpu, server_cpu, busy = time.process_time(), server.cpu_seconds(), machine_busy_seconds()
    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.2)
    finally:
        stop.set()
    run.seconds = time.perf_counter() - started
    run.client_cpu = time.process_time() - cpu
    run.machine_cpu = machine_busy_seconds() - busy
    after = server.cpu_seconds()
    run.server_cpu = None if None in (server_cpu, after) else after - server_cpu
    return run


def must_succeed(run):
    if run.errors:
        print_errors(run)
        raise SystemExit(f"{run.scenario}: {run.errors.total()} requests failed")
    return run


# --- Figures ----------------------------------------------------------------------------------------------

ROW = "{:>5}  {:<26} {:>8} {:>6} {:>8} {:>8} {:>8} {:>10} {:>7} {:>7}"


def print_header():
    print("\n" + ROW.format("round", "scenario", "requests", "errors", "req/s", "p50 ms", "p95 ms", "srv ms/req",
                            "client", "others") + "   (client, others: cores busy)")


def print_run(label, run):
    print(ROW.format(label, run.scenario, run.requests, run.errors.total(), f"{run.rps:.1f}",
                     f"{run.latency(50) * 1000:.1f}", f"{run.latency(95) * 1000:.1f}", f"{run.server_ms:.2f}",
                     f"{run.client_cpu / run.seconds:.2f}", f"{run.others:.2f}"), flush=True)
    print_errors(run)


def print_errors(run):
    for error, count in run.errors.most_common():
        print(f"       ! {count} x {error}: {run.samples.get(error, '')[:300]}")


def ratio_summary(rounds, reference="minimal"):
    """Print, for each scenario, the median over the rounds of its req/s ÷ the reference's in the same
    round, and its server CPU per request as a multiple of the reference's. Return {scenario: median}."""
    print(f"\nratios to the {reference} endpoint, same gunicorn, same round; median over {len(rounds)} rounds")
    head = "  {:<26} {:>9}  {:<34} {:>10} {:>11}"
    print(head.format("scenario", "req/s", "rounds", "p95 x", "srv CPU x"))
    medians = {}
    base_cpu = statistics.median(runs[reference].server_ms for runs in rounds)
    base_p95 = statistics.median(runs[reference].latency(95) for runs in rounds)
    for name in rounds[0]:
        if name == reference:
            continue
        ratios = [runs[name].rps / runs[reference].rps for runs in rounds if runs[reference].rps]
        medians[name] = statistics.median(ratios) if ratios else float("nan")
        cpu = statistics.median(runs[name].server_ms for runs in rounds) / base_cpu
        p95 = statistics.median(runs[name].latency(95) for runs in rounds) / base_p95
        print(head.format(name, f"{medians[name]:.2%}", " ".join(f"{ratio:.1%}" for ratio in ratios),
                          f"{p95:.1f}", f"{cpu:.1f}"))
    return medians


def verdict(ok):
    return "PASS" if ok else "FAIL"


# --- Profile ----------------------------------------------------------------------------------------------


def profile(calls, top=20):
    """Run the calls under cProfile; print own time by package and the top functions by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for call in calls:
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    print(f"\nprofile: {total:.2f}s in {len(calls)} calls, {total / len(calls) * 1000:.2f} ms each (cProfile slows "
          "Python code about 2x: read the shares)")
    print("own time by package (a C builtin's time goes to its callers' package):")
    for package, seconds in by_package(stats).most_common(12):
        print(f"  {seconds / total:6.1%}  {package}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next(index for index, line in enumerate(lines) if "ncalls" in line)
    print(f"top {top} functions by own time:\n" + "\n".join(lines[start:]).rstrip())


def package_of(filename):
    if filename.startswith(("~", "<")):
        return None
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if filename.startswith(str(ROOT)):
        return "app: " + Path(filename).relative_to(ROOT).parts[0]
    return "stdlib"


def by_package(stats):
    totals = collections.Counter()
    for (filename, _line, _name), (_cc, _nc, own, _cumulative, callers) in stats.stats.items():
        package = package_of(filename)
        caller_time = sum(value[2] for value in callers.values())
        if package is not None or not caller_time:
            totals[package or "builtins"] += own
            continue
        for caller, value in callers.items():
            totals[package_of(caller[0]) or "builtins"] += own * value[2] / caller_time
    return totals
