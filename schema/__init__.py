"""The survey schema: config file in, plain checked objects out."""

from .levels import LEVELS, PARENT_LEVELS, REPORTING_LEVELS, level_label
from .loader import ConfigError, load_survey, parse_survey
from .model import Question, Section, Survey
from .types import OTHER_CHOICE, OTHER_SUFFIX, TYPES, other_key

__all__ = [
    "LEVELS",
    "OTHER_CHOICE",
    "OTHER_SUFFIX",
    "PARENT_LEVELS",
    "REPORTING_LEVELS",
    "TYPES",
    "ConfigError",
    "Question",
    "Section",
    "Survey",
    "level_label",
    "load_survey",
    "other_key",
    "parse_survey",
]
