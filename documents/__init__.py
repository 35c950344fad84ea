"""Party documents generated from the answers: the layout of the rule, and each report written in it."""
