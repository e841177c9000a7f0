"""Record -> index document: the analyzer's tokens plus the stored original text.

Every backend indexes exactly these dicts (schema in search.backends.base)."""

from __future__ import annotations

import json

from search.analysis import Analyzer
from search.records import Record

# Original text kept in the index for snippets: enough for a document's opening pages.
STORED_BODY_CHARS = 20_000
# Pinyin (homophone typos) and single characters (paraphrases sharing no word) are indexed for
# the opening of the body only: they rescue short texts (a question, the first lines of an
# answer) and, over a long body, match nearly everything while making up half of its postings.
BODY_LEAD_CHARS = 256


def _join(tokens) -> str:
    return " ".join(tokens)


def _join_once(tokens) -> str:
    # Words, pinyin and characters count once per field: saying 花呗 three times does not make an answer
    # more about 花呗, and a long article must not outrank a short FAQ by repetition. Bigrams
    # keep every occurrence: phrase queries need their positions.
    return " ".join(dict.fromkeys(tokens))


def build_document(record: Record, analyzer: Analyzer) -> dict:
    """Return the index document of a record."""
    title = analyzer.analyze(record.title)
    body = analyzer.analyze(record.body, lead=BODY_LEAD_CHARS)
    alternatives = analyzer.analyze("\n".join(record.alternatives), pinyin=False)
    attachments = analyzer.analyze(record.attachments, pinyin=False, chars=False)
    tag_words: list[str] = []
    for tag in record.tags:
        tag_words.extend(analyzer.analyze(tag, pinyin=False, chars=False).words)
    return {
        "key": record.key,
        "type": record.type,
        "title_w": _join_once(title.words),
        "title_g": _join(title.grams),
        "title_p": _join_once(title.pinyin),
        "title_c": _join_once(title.chars),
        "alt_w": _join_once(alternatives.words),
        "alt_g": _join(alternatives.grams),
        "alt_c": _join_once(alternatives.chars),
        "tags_w": _join_once(tag_words),
        "body_w": _join_once(body.words),
        "body_g": _join(body.grams),
        "body_p": _join_once(body.pinyin),
        "body_c": _join_once(body.chars),
        "att_w": _join_once(attachments.words),
        "att_g": _join(attachments.grams),
        "prefix": _join(analyzer.prefixes(record.title)),
        "read": sorted(record.read),
        "restrict": sorted(record.restrict),
        "tags": sorted({tag.strip() for tag in record.tags if tag.strip()}),
        "category": [str(pk) for pk in record.category_ids],
        "department": [str(pk) for pk in record.departments],
        "customer": [str(pk) for pk in record.customers],
        "language": record.language,
        "created": record.created_at,
        "updated": record.updated_at or record.created_at,
        "title": record.title,
        "url": record.url,
        "body": (record.body or "\n".join(record.alternatives))[:STORED_BODY_CHARS],
        "attachments": record.attachments[:STORED_BODY_CHARS],
        "category_path": json.dumps(record.category_path, ensure_ascii=False),
        "extra": json.dumps(record.extra, ensure_ascii=False, default=str),
    }
