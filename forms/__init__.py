"""Forms built from the survey schema."""

from .survey import SurveyForm, survey_form_class

__all__ = ["SurveyForm", "survey_form_class"]
