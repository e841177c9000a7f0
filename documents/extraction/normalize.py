"""Text normalisation for matching: the same folding search applies to text and queries.

To be shared with search/analysis (which will own it) once that exists; kept here meanwhile so
`extract_check` compares expected strings the way search will find them: NFKC (which also turns
full-width forms into half-width), lower case, traditional to simplified Chinese, whitespace
collapsed.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACE = re.compile(r"\s+")


@functools.cache
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def normalize_text(text: str) -> str:
    """Fold text for matching: NFKC (full-width to half-width too), lower case, t2s, one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _t2s().convert(text)
    return _SPACE.sub(" ", text).strip()
