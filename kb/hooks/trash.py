"""Wagtail hooks of the trash part of the knowledge base (imported by kb.wagtail_hooks)."""
