"""Forms built from the survey schema."""

from .survey import StoredAnswers, SurveyForm, posted_answers, survey_form_class

__all__ = ["StoredAnswers", "SurveyForm", "posted_answers", "survey_form_class"]
