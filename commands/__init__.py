"""`flask --app app ...` commands for administrators: survey, units, users, demo, demo-site, export, narratives,
reminders, backup, restore."""

from .backup import backup_command, restore_command
from .demo import demo_command, demo_site_command
from .export import export_cli
from .narratives import narratives_cli
from .reminders import reminders_cli
from .survey import survey_cli
from .units import units_cli
from .users import users_cli

__all__ = ["backup_command", "demo_command", "demo_site_command", "export_cli", "narratives_cli", "reminders_cli",
           "restore_command", "survey_cli", "units_cli", "users_cli"]
