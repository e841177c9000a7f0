from django.core.management.base import BaseCommand, CommandError

from documents.models import ExtractionStatus, KnowledgeDocument


class Command(BaseCommand):
    help = "Queue the text extraction of documents again: failed ones by default, or given ids."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="document ids (default: by status)")
        parser.add_argument(
            "--status",
            default="failed",
            help="comma-separated statuses to retry when no id is given (failed,skipped,pending)",
        )
        parser.add_argument(
            "--now", action="store_true", help="extract here and now instead of in the worker"
        )

    def handle(self, *args, ids, status, now, **options):
        from documents.tasks import extract_document_task

        statuses = [s.strip() for s in status.split(",") if s.strip()]
        unknown = set(statuses) - set(ExtractionStatus.values)
        if unknown:
            raise CommandError(f"Unknown status: {', '.join(sorted(unknown))}")
        documents = KnowledgeDocument.objects.filter(deleted_at__isnull=True)
        documents = (
            documents.filter(pk__in=ids)
            if ids
            else documents.filter(extraction_status__in=statuses)
        )
        count = 0
        for pk in documents.values_list("pk", flat=True).order_by("pk"):
            KnowledgeDocument.objects.filter(pk=pk).update(
                extraction_status=ExtractionStatus.PENDING, extraction_error=""
            )
            if now:
                outcome = extract_document_task.apply(args=[pk]).get()
                self.stdout.write(f"{pk}\t{outcome}")
            else:
                extract_document_task.delay(pk)
            count += 1
        self.stdout.write(self.style.SUCCESS(f"{count} document(s) queued for extraction."))
