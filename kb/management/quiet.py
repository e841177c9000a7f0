"""Keep library logging out of the reports that the kb management commands print."""

from __future__ import annotations

import logging
from contextlib import contextmanager

# Wagtail logs every page saved and django_tasks every inline index task at INFO; a hundred such
# lines would bury the rows and logins these commands exist to print.
CHATTY_LOGGERS = ("wagtail", "django_tasks")


@contextmanager
def quiet_loggers(names=CHATTY_LOGGERS):
    """Raise the given loggers to WARNING for the duration of the block."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
