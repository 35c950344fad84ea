"""Excel workbooks for the Organisation Committee: pure functions of (schema, units, responses)."""

from .workbook import ExportSummary, download_name, write_workbook

__all__ = ["ExportSummary", "download_name", "write_workbook"]
