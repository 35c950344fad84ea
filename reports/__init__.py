"""Units' reports: every save kept, where each report stands, the progress of a scope."""
