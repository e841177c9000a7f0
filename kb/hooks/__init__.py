"""Wagtail hooks of the knowledge base, one module per part; kb.wagtail_hooks imports them all."""
