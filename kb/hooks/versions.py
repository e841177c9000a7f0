"""Wagtail hooks of the versions part of the knowledge base (imported by kb.wagtail_hooks)."""
