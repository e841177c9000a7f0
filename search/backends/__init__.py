"""Search backends, loaded by alias from settings.SEARCH_BACKENDS (django `core/cache` style).

SEARCH_BACKENDS = {"default": {"BACKEND": "search.backends.tantivy.TantivyBackend", ...}}
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from search.backends.base import SearchBackend

_local = threading.local()
_shared: dict[str, SearchBackend] = {}
_lock = threading.Lock()


def load_backend(alias: str = "default", **overrides) -> SearchBackend:
    """Create a new backend instance from settings, with parameters overridden (tests, eval)."""
    try:
        params = dict(settings.SEARCH_BACKENDS[alias])
    except KeyError as err:
        raise ImproperlyConfigured(f"no search backend {alias!r} in SEARCH_BACKENDS") from err
    params.update(overrides)
    backend_class = import_string(params.pop("BACKEND"))
    return backend_class(alias, params)


def get_backend(alias: str = "default") -> SearchBackend:
    """Return the process-wide backend of `alias` (backends are thread-safe)."""
    backend = _shared.get(alias)
    if backend is None:
        with _lock:
            backend = _shared.get(alias)
            if backend is None:
                backend = _shared[alias] = load_backend(alias)
    return backend


def reset_backends() -> None:
    """Close and forget the process-wide backends (tests that switch settings)."""
    with _lock:
        for backend in _shared.values():
            backend.close()
        _shared.clear()
