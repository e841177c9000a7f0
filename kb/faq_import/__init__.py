"""Import of existing FAQs from an Excel workbook or a CSV file, with a preview and per-row errors.

parsing reads the file into rows keyed by field; validation turns them into FAQ rows with a
status and messages, reading the database only; actions writes (or dry-runs) the import.
"""
