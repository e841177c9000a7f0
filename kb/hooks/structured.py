"""Wagtail hooks of the structured part of the knowledge base (imported by kb.wagtail_hooks)."""
