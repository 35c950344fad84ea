"""Forms built from the survey schema."""

from .survey import SurveyForm, posted_answers, survey_form_class

__all__ = ["SurveyForm", "posted_answers", "survey_form_class"]
