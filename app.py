"""The application factory: `flask --app app ...` and `gunicorn 'app:create_app()'` both start here."""

import logging
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, g, has_app_context, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel, get_locale, get_translations
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from jinja2 import BytecodeCache
from werkzeug.middleware.proxy_fix import ProxyFix

from commands import (
    backup_command,
    demo_command,
    demo_site_command,
    export_cli,
    narratives_cli,
    reminders_cli,
    restore_command,
    survey_cli,
    units_cli,
    users_cli,
)
from config import DEFAULT_LANGUAGE, LANGUAGES, ROOT, default_settings
from logs import HIDE_LINKS
from mailer import mail
from models import db
from models.base import SQLiteCompilerWithIndexHints, compact_json
from schema.model import display_language
from schema.store import init_survey
from schema.types import TYPES, check_types
from views import (
    admin_pages,
    demo_site_note,
    guide_pages,
    health_pages,
    register_address_check,
    register_assets,
    register_compression,
    register_error_pages,
    robots_pages,
    shown_in_page,
    survey_pages,
    url_in_language,
)
from views.admin.unit_list_upload import allow_unit_list_files


class CompiledTemplates(BytecodeCache):
    """The templates' compiled code, kept for the process: every app a process builds (the tests build one
    per test) compiles each template once. Jinja checks each entry against the template's source."""

    def __init__(self):
        self.codes = {}

    def load_bytecode(self, bucket):
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.codes[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def create_app(test_config=None):
    """Create the tongket app: settings, database, mail, languages, survey, pages and commands."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
    configure_settings(app, test_config)
    trust_proxies(app)
    configure_logging(app)
    configure_database(app)
    mail.init_app(app)
    configure_languages(app)
    init_survey(app)
    app.session_interface = SessionInterface()
    register_pages(app)
    check_question_types(app)
    register_commands(app)
    app.after_request(add_security_headers)
    return app


def configure_settings(app, test_config):
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(default_settings(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or instance_secret_key(app.instance_path)


def configure_logging(app):
    """Keep unit links out of the app's log ("Exception on /s/..."), and the development server's."""
    for log in (app.logger, logging.getLogger("werkzeug")):
        log.addFilter(HIDE_LINKS)


def instance_secret_key(instance_path):
    """Return a secret key kept in the instance folder, so that every worker signs alike."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip()


def trust_proxies(app):
    """Take the client's address and scheme from X-Forwarded-For and X-Forwarded-Proto, as added by the
    PROXY_HOPS proxies in front: sign-in limits count addresses, and cookies are Secure over HTTPS. The app
    alone reads these headers (gunicorn.conf.py trusts none), the same under gunicorn, `flask run` and tests."""
    hops = app.config["PROXY_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def configure_database(app):
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    db.init_app(app)
    Migrate(app, db, directory=str(ROOT / "migrations"))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", enable_sqlite_wal)
            db.engine.dialect.statement_compiler = SQLiteCompilerWithIndexHints


def engine_options(config):
    """Return the engine options with how long a statement may wait or run, and no values in errors."""
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    busy = config["DATABASE_BUSY_TIMEOUT"]
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        # Wait for a writer instead of failing at once; WAL lets pages read while a report saves.
        connect_args["timeout"] = busy
    elif url.startswith("postgresql"):
        # A held lock or a stuck statement ends in an error the page explains, not in a hung worker. No JIT: it
        # compiles a statement whose estimate is large, and the progress page's range join (estimated at
        # millions of rows, 50,000 read) spent half a second compiling to run in a tenth of that.
        limits = (f"-c lock_timeout={milliseconds(busy)} "
                  f"-c statement_timeout={milliseconds(config['DATABASE_STATEMENT_TIMEOUT'])} -c jit=off")
        # connect_args replace the URL's own `options` (a search_path, say): keep them, then add ours.
        from_url = sa.engine.make_url(url).query.get("options")
        connect_args["options"] = " ".join(filter(None, (from_url, connect_args.get("options"), limits)))
    # An error's message would otherwise carry its statement's values (a link's token) into the log.
    return {**options, "connect_args": connect_args, "hide_parameters": True, "json_serializer": compact_json}


def milliseconds(seconds):
    return int(seconds * 1000)


def enable_sqlite_wal(connection, _record):
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_languages(app):
    Babel(app, locale_selector=select_language, default_locale=DEFAULT_LANGUAGE,
          default_translation_directories=str(ROOT / "translations"))

    app.context_processor(lambda: {"language": display_language.get()})
    app.jinja_env.globals["url_in_language"] = url_in_language
    # Flask-Babel finds the translations anew at every call of a template's _(), and a form page makes dozens.
    app.jinja_env.install_gettext_callables(gettext=lambda text: translations_now().ugettext(text),
                                            ngettext=lambda one, many, n: translations_now().ungettext(one, many, n),
                                            newstyle=True)

    @app.before_request
    def choose_language():
        g.display_language_token = display_language.set(str(get_locale()))

    @app.teardown_request
    def forget_language(_error):
        # So that a command run later in the same thread speaks the default language again.
        if "display_language_token" in g:
            display_language.reset(g.display_language_token)

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in LANGUAGES:
            response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure)
        return response


def translations_now():
    """Return the translations of the locale in force (force_locale included), found once per request and
    locale."""
    if not has_app_context():
        return get_translations()
    locale = get_locale()
    found = g.get("translations_of")
    if found is None or found[0] is not locale:
        found = g.translations_of = (locale, get_translations())
    return found[1]


def select_language():
    """Vietnamese unless the person chose English with ?lang=en (remembered in a cookie)."""
    if not has_request_context():
        return None
    for chosen in (request.args.get("lang"), request.cookies.get("lang")):
        if chosen in LANGUAGES:
            return chosen
    return DEFAULT_LANGUAGE


#: The form macros of the question types, one per type.
QUESTION_MACROS = "survey/_types.html"

#: No inline script or style anywhere, so the policy can be strict.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def add_security_headers(response):
    """Keep unit links out of other sites' logs, and pages out of frames and shared caches."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.mimetype == "text/html":
        # Not "no-store": the browser keeps its copy, so Back after an error page gives the text back.
        response.headers.setdefault("Cache-Control", "private, no-cache")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Mark the session cookie Secure whenever the request came over HTTPS (the proxy's X-Forwarded-Proto
    counts with PROXY_HOPS, see trust_proxies), so no setting is needed for it in production."""

    def get_cookie_secure(self, app):
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def register_pages(app):
    app.jinja_env.finalize = shown_in_page  # before any template is compiled
    register_address_check(app)
    # Before the CSRF check reads a form: a unit list's upload may be larger than the other forms.
    app.before_request(allow_unit_list_files)
    csrf = CSRFProtect(app)
    # The survey form checks its own CSRF token, so that an expired one loses none of the text.
    csrf.exempt(survey_pages)
    register_compression(app)
    register_assets(app)
    app.register_blueprint(survey_pages)
    app.register_blueprint(admin_pages)
    app.register_blueprint(health_pages)
    app.register_blueprint(guide_pages)
    app.register_blueprint(robots_pages)
    app.context_processor(demo_site_note)
    register_error_pages(app)


def check_question_types(app):
    """Refuse to start when a question type misses a part or its form macro."""
    macros = set(dir(app.jinja_env.get_template(QUESTION_MACROS).module))
    problems = check_types(TYPES, macros)
    if problems:
        raise RuntimeError("; ".join(problems))


def register_commands(app):
    for command in (survey_cli, units_cli, users_cli, demo_command, demo_site_command, export_cli, narratives_cli,
                    reminders_cli, backup_command, restore_command):
        app.cli.add_command(command)
