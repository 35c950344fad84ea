"""`flask --app app ...` commands for administrators: survey, units, users, demo, export."""

from .demo import demo_command
from .export import export_cli
from .survey import survey_cli
from .units import units_cli
from .users import users_cli

__all__ = ["demo_command", "export_cli", "survey_cli", "units_cli", "users_cli"]
