"""Excel workbooks for the Organisation Committee: pure functions of (schema, units, responses)."""

from .workbook import ExportSummary, write_workbook

__all__ = ["ExportSummary", "write_workbook"]
