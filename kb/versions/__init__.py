"""Versions of plain models (django-reversion): history, compare and revert in the admin.

Pages and Wagtail snippets with RevisionMixin keep Wagtail revisions; every other model registered
with reversion (products, knowledge templates with their fields, ...) gets its versions here.
"""
