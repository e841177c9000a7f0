"""How free query text becomes scored engine clauses, and how the engine's best hits are re-ranked.

Shared by the query service, the evaluation and the benchmark, so they all rank alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import rjieba

from search.analysis import STOP_WORDS, Analyzer, fold, is_wordlike
from search.backends.base import TOKEN_FIELDS, Hit, SearchRequest, SearchResponse, Should

# Field weights: title > alternative phrasings > tags > body > attachments. Words weigh more than
# bigrams (a whole word is a stronger signal); single characters weigh half a bigram (they only
# bridge paraphrases that share no bigram); pinyin only rescues homophone typos.
FIELD_BOOSTS = {
    "title_w": 3.0,
    "title_g": 1.5,
    "title_c": 0.75,
    "title_p": 0.4,
    "alt_w": 2.0,
    "alt_g": 1.0,
    "alt_c": 0.5,
    "tags_w": 2.5,
    "body_w": 1.0,
    "body_g": 0.6,
    "body_c": 0.3,
    "body_p": 0.2,
    "att_w": 0.5,
    "att_g": 0.3,
}
WORD_FIELDS = ("title_w", "alt_w", "tags_w", "body_w", "att_w")
GRAM_FIELDS = ("title_g", "alt_g", "body_g", "att_g")
PINYIN_FIELDS = ("title_p", "body_p")
# Only the character fields the shared schema lists (search.backends.base.TOKEN_FIELDS): a
# clause on a field the engine lacks is an error there.
CHAR_FIELDS = tuple(name for name in ("title_c", "alt_c", "body_c") if name in TOKEN_FIELDS)

# Re-ranking: the engine's best RERANK_DEPTH hits are reordered by proximity (see rerank). Two
# pages: on shared/eval a depth of 20 gave nDCG@10 0.6645 where one page (10) gave 0.6610, and
# 30 or 50 no more than 20.
RERANK_DEPTH = 20
PROXIMITY_WEIGHT = 0.5
# Stored text read per hit: the opening of a long body is where its subject is stated, and
# folding twenty thousand characters for each of twenty hits would cost more than the query.
_RERANK_CHARS = 1_000


def _shoulds(tokens, fields: Sequence[str], boosts: dict, *, scoring_only=False) -> list[Should]:
    counts: dict[str, int] = {}
    for token in tokens:
        counts[token] = counts.get(token, 0) + 1
    return [
        Should(name, token, boosts[name] * count, scoring_only=scoring_only)
        for token, count in counts.items()
        for name in fields
    ]


def build_should(analyzer: Analyzer, text: str, boosts: dict | None = None) -> list[Should]:
    """Return the scored clauses of free query text, over every token field."""
    boosts = boosts or FIELD_BOOSTS
    tokens = analyzer.analyze(text, chars=bool(CHAR_FIELDS))
    return (
        _shoulds(tokens.words, WORD_FIELDS, boosts)
        # The index keeps every bigram for phrase positions; a bigram that is a stop word
        # (什么, 我们) says nothing about the answer sought.
        + _shoulds([g for g in tokens.grams if g not in STOP_WORDS], GRAM_FIELDS, boosts)
        + _shoulds(tokens.pinyin, PINYIN_FIELDS, boosts)
        # Shared characters rank paraphrases (关掉/关了) but never make an answer on their own.
        + _shoulds(tokens.chars, CHAR_FIELDS, boosts, scoring_only=True)
    )


# --- re-ranking ------------------------------------------------------------------------------


def adjacent_pairs(text: str) -> list[str]:
    """Return the query's neighbouring content words, each pair joined ("花呗额度").

    Stop and question words are skipped (花呗的额度 gives 花呗额度); punctuation ends a run, as
    a pair across two clauses is no phrase."""
    pairs: list[str] = []
    previous = None
    for word in rjieba.cut(fold(text), False):
        if word in STOP_WORDS:
            continue
        if not is_wordlike(word):
            previous = None  # punctuation or blank
            continue
        if previous is not None:
            pairs.append(previous + word)
        previous = word
    return list(dict.fromkeys(pairs))


def rerank(
    hits: Sequence[Hit],
    pairs: Sequence[str],
    *,
    weight: float = PROXIMITY_WEIGHT,
    depth: int = RERANK_DEPTH,
) -> list[Hit]:
    """Return `hits` with the first `depth` reordered by score x (1 + weight x share of `pairs`
    found in their text); the rest follow unchanged.

    BM25 scores each query term on its own: an item where the query's words stand together, in
    the query's order, answers it more closely than one where they are scattered. The factor is
    bounded, so proximity reorders near-ties and never buries a strong match. `pairs` comes
    from adjacent_pairs; the text is the hit's stored title and body, folded."""
    head, tail = list(hits[:depth]), list(hits[depth:])
    if not pairs or len(head) < 2:
        return head + tail
    share = weight / len(pairs)
    scored = []
    for hit in head:
        stored = hit.stored
        text = fold(f"{stored.get('title') or ''}\n{(stored.get('body') or '')[:_RERANK_CHARS]}")
        found = sum(1 for pair in pairs if pair in text)
        scored.append(dataclasses.replace(hit, score=hit.score * (1.0 + share * found)))
    scored.sort(key=lambda hit: hit.score, reverse=True)  # stable: ties keep the engine order
    return scored + tail


def ranked_search(backend, request: SearchRequest, text: str) -> SearchResponse:
    """Run `request` and return its page of hits in final order, proximity re-ranking included.

    The one way free text is ranked: the query service, the evaluation and the benchmark call
    it. A page that starts within the re-ranked head is cut from the re-ranked head, so pages
    never repeat or skip a hit; deeper pages are the engine's order (rerank leaves it alone)."""
    pairs = adjacent_pairs(text) if request.sort == "relevance" and text.strip() else []
    offset, limit = request.offset, request.limit
    if not pairs or offset >= RERANK_DEPTH:
        return backend.search(request)
    window = dataclasses.replace(request, offset=0, limit=max(RERANK_DEPTH, offset + limit))
    response = backend.search(window)
    hits = rerank(response.hits, pairs)
    return dataclasses.replace(response, hits=hits[offset : offset + limit])
