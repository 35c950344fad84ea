"""Consolidation: how units' answers become a committee's figures and narratives, below the workbook and
the documents."""
