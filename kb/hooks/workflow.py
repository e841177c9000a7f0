"""Wagtail hooks of the workflow part of the knowledge base (imported by kb.wagtail_hooks)."""
