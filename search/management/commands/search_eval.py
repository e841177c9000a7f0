"""Measure retrieval quality on a corpus/queries/qrels directory, against two baselines."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from search import eval as search_eval
from search.analysis import Analyzer, get_analyzer

_LABELS = {"zhiku": "Zhiku", "bigram": "bigram", "word": "word"}


class Command(BaseCommand):
    help = gettext_lazy(
        "Evaluate search relevance (nDCG@10, MRR@10, Recall@100) of Zhiku and two baselines "
        "on a corpus.jsonl/queries.jsonl/qrels.tsv directory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help=_("Directory with the evaluation set."))
        parser.add_argument("--corpus", help=_("Read the corpus from this file instead."))
        parser.add_argument("--json", action="store_true", help=_("Print one JSON object."))

    def handle(self, *args, data, corpus=None, json=False, **options):
        data_dir = Path(data)
        for name in ("queries.jsonl", "qrels.tsv"):
            if not (data_dir / name).is_file():
                raise CommandError(_("Missing file: %(path)s") % {"path": data_dir / name})
        corpus_path = Path(corpus) if corpus else data_dir / "corpus.jsonl"
        if not corpus_path.is_file():
            raise CommandError(_("Missing file: %(path)s") % {"path": corpus_path})
        started = time.perf_counter()
        dataset = search_eval.load_dataset(data_dir, corpus_path)
        analyzer, vocabulary = self._analyzer()
        results = search_eval.evaluate(dataset, analyzer)
        if json:
            self.stdout.write(_dumps(search_eval.as_json(results, dataset)))
            return
        self._table(results, dataset, vocabulary, time.perf_counter() - started)

    @staticmethod
    def _analyzer() -> tuple[Analyzer, bool]:
        # The domain dictionary and synonyms come from the database when it has them; an
        # evaluation must still run on a machine whose database is not set up.
        try:
            return get_analyzer(), True
        except DatabaseError:
            return Analyzer(), False

    def _table(self, results, dataset, vocabulary: bool, seconds: float) -> None:
        write = self.stdout.write
        write(
            _(
                "%(queries)d judged queries (%(skipped)d without judgements skipped), %(docs)d documents"
            )
            % {
                "queries": len(dataset.qrels),
                "skipped": dataset.skipped,
                "docs": len(dataset.corpus),
            }
        )
        if not vocabulary:
            write(_("Database unavailable: built-in vocabulary only."))
        header = f"{'':<8} {'nDCG@10':>8} {'MRR@10':>8} {'R@100':>8} {'index s':>8} {'query ms':>9}"
        write(header)
        for result in results:
            metrics = result.metrics
            per_query_ms = 1000 * result.query_seconds / max(len(dataset.qrels), 1)
            write(
                f"{_LABELS[result.name]:<8} {metrics['ndcg@10']:>8.4f} {metrics['mrr@10']:>8.4f}"
                f" {metrics['recall@100']:>8.4f} {result.index_seconds:>8.2f} {per_query_ms:>9.2f}"
            )
        zhiku = results[0]
        sources = search_eval.per_source(zhiku, dataset)
        if len(sources) > 1:
            write(_("Zhiku per source:"))
            for prefix, metrics in sources.items():
                write(
                    f"  {prefix or '-':<6} {metrics['ndcg@10']:>8.4f} {metrics['mrr@10']:>8.4f}"
                    f" {metrics['recall@100']:>8.4f}"
                )
        write(_("Total time: %(seconds).1f s") % {"seconds": seconds})


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
