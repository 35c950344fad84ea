"""The WSGI app the benchmarks serve: the real tongket app plus one minimal reference endpoint.

    gunicorn -c gunicorn.conf.py 'bench.minimal_app:create_bench_app()'

The pages and /bench/minimal run in the same process, under the same gunicorn settings and the same
app-wide hooks (security headers, language cookie), so that the ratio "page / minimal endpoint"
measures only what the page itself costs.
"""

from app import create_app


def create_bench_app(test_config=None):
    app = create_app(test_config)

    @app.get("/bench/minimal")  # common.MINIMAL_PATH
    def bench_minimal():
        return "ok"

    return app
