"""Benchmark the query service against bare Tantivy and SQLite FTS5 on synthetic Chinese items."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from search.bench import run_bench


class Command(BaseCommand):
    help = (
        "Index N synthetic Chinese items into a throw-away index, run M OR queries through the "
        "query service, the bare Tantivy searcher and SQLite FTS5, print latencies and ratios."
    )

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=10_000)
        parser.add_argument("--queries", type=int, default=1_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print one JSON object"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="analysing child processes for the index build (default: the cores but one, "
            "none below 5000 items)",
        )
        parser.add_argument(
            "--workdir", default=None, help="where the temporary indexes go (default: system tmp)"
        )

    def handle(self, *args, items, queries, seed, as_json, workdir, workers, **options):
        if items < 1 or queries < 1:
            raise CommandError("--items and --queries must be positive")
        progress = None if as_json else (lambda message: self.stderr.write(message))
        figures, breakdown = run_bench(
            items, queries, seed=seed, workdir=workdir, progress=progress, workers=workers
        )
        if as_json:
            self.stdout.write(json.dumps(figures))
            return
        self.stdout.write(_report(figures, breakdown, queries))


def _report(figures: dict, breakdown: dict, queries: int) -> str:
    lines = [
        f"items: {figures['items']}  queries: {queries}",
        f"index build: {figures['index_items_per_s']:.0f} items/s "
        f"({figures['workers']} analysing children, peak RSS of one: "
        f"{figures['workers_peak_rss_mb']:.0f} MB; final commit and merges "
        f"{figures['index_commit_s']:.1f} s of it)",
        f"query clauses (p50): {figures['query_clauses_p50']}; fts5 gets the same (field, token) "
        "terms, bm25 column weights = field boosts",
        f"{'':20}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}",
    ]
    for name, label in (
        ("service", "service"),
        ("engine", "tantivy"),
        ("fts5", "fts5"),
        ("fts5_words", "fts5 (words only)"),
    ):
        row = figures[name]
        lines.append(
            f"{label:20}{row['p50_ms']:>10.3f}{row['p95_ms']:>10.3f}{row['p99_ms']:>10.3f}"
        )
    for label, row in breakdown.items():
        lines.append(
            f"{label:20}{row['p50_ms']:>10.3f}{row['p95_ms']:>10.3f}{row['p99_ms']:>10.3f}"
            "  (first 200 queries)"
        )
    lines += [
        f"service / tantivy (p50): {figures['ratio_p50']:.2f}",
        f"fts5 / service: p50 {figures['fts5_ratio_p50']:.2f}x  p95 {figures['fts5_ratio_p95']:.2f}x",
        f"peak RSS of the search process ({figures['search_process']}): "
        f"{figures['peak_rss_mb']:.0f} MB; of the building process: "
        f"{figures['index_peak_rss_mb']:.0f} MB",
        *(
            f"  {phase}: anonymous {row.get('RssAnon', 0):.0f} MB, "
            f"file-backed (index pages, libraries) {row.get('RssFile', 0):.0f} MB"
            for phase, row in figures.get("rss_mb", {}).items()
        ),
    ]
    return "\n".join(lines)
