"""A real gunicorn, started with the project's gunicorn.conf.py, on a SQLite file with the demo's units."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from models import Unit, db
from units.changes import import_units

ROOT = Path(__file__).resolve().parent.parent
DEMO_UNITS = ROOT / "demo" / "units.csv"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_database(folder):
    """Make a SQLite file in `folder` with the demo's units; return its URL and {unit code: link token}."""
    url = f"sqlite:///{folder / 'served.sqlite3'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        import_units(DEMO_UNITS.read_bytes())
        tokens = dict(db.session.execute(sa.select(Unit.code, Unit.token)).all())
        db.session.remove()
        db.engine.dispose()
    return url, tokens



class Served:
    """gunicorn serving the app on a free port, its access log on stdout and its error log on stderr."""

    def __init__(self, url, folder, **environment):
        self.port = free_port()
        self.stdout, self.stderr = folder / "access.log", folder / "error.log"
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="test-secret", GUNICORN_BIND=f"127.0.0.1:{self.port}",
                   WEB_CONCURRENCY="1", GUNICORN_ACCESS_LOG="-", DATABASE_BUSY_TIMEOUT="0.5", **environment)
        env.pop("FLASK_RUN_FROM_CLI", None)
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--no-control-socket",
                   "app:create_app()"]
        with open(self.stdout, "wb") as out, open(self.stderr, "wb") as err:
            # A session of its own, so that stopping it reaches the master and its worker only.
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err,
                                            start_new_session=True)
        self.wait_until_up()

    def wait_until_up(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.stderr.read_text()
            try:
                # A static file: any page may ask the database (the demo's note), which a test must open first.
                if self.get("/static/survey.js")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer:\n{self.stderr.read_text()}")

    def get(self, path, **headers):
        """Return (status, body) of a GET."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def stop(self):
        """Stop gunicorn and return (access log, error log)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        return self.stdout.read_text(), self.stderr.read_text()
