"""Structured knowledge (结构化知识): template admin, item editing, reader display and item lists."""
