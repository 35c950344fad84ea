"""The WSGI app the benchmark serves: the real tongket app plus one minimal reference endpoint.

    gunicorn -c gunicorn.conf.py 'bench.minimal_app:create_bench_app()'

Both the survey pages and /bench/minimal run in the same process, under the same gunicorn
settings and the same app-wide hooks (security headers, language cookie), so that the ratio
"survey page / minimal endpoint" measures only what the survey page itself costs.
"""

from app import create_app

MINIMAL_PATH = "/bench/minimal"


def create_bench_app():
    app = create_app()

    @app.get(MINIMAL_PATH)
    def bench_minimal():
        return "ok"

    return app
