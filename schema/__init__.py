"""The survey schema: config file in, plain checked objects out."""

from .levels import LEVELS, PARENT_LEVEL, REPORTING_LEVELS, level_label
from .loader import ConfigError, load_survey, parse_survey
from .model import (
    CHOICE_TYPES,
    NUMBER_TYPES,
    OTHER_CHOICE,
    QUESTION_TYPES,
    Question,
    Section,
    Survey,
    other_key,
)

__all__ = [
    "CHOICE_TYPES",
    "LEVELS",
    "NUMBER_TYPES",
    "OTHER_CHOICE",
    "PARENT_LEVEL",
    "QUESTION_TYPES",
    "REPORTING_LEVELS",
    "ConfigError",
    "Question",
    "Section",
    "Survey",
    "level_label",
    "load_survey",
    "other_key",
    "parse_survey",
]
