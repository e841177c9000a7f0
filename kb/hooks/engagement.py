"""Wagtail hooks of the engagement part of the knowledge base (imported by kb.wagtail_hooks)."""
