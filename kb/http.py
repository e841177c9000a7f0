"""Small request helpers shared by the knowledge base's views."""

from __future__ import annotations


def wants_json(request) -> bool:
    """Return True when the client asked for JSON (a fetch from the page's script)."""
    return "application/json" in request.headers.get("Accept", "")
