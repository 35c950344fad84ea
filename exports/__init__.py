"""Excel workbooks for the Organisation Committee: pure functions of (schema, units, responses)."""

from .download import workbook_download
from .source import ExportSource
from .workbook import ExportSummary, download_name, write_workbook

__all__ = ["ExportSource", "ExportSummary", "download_name", "workbook_download", "write_workbook"]
