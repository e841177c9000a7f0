from django.db import migrations

from kb.workflow.setup import configure_review_workflow


def configure(apps, schema_editor):
    configure_review_workflow(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0006_review_workflow_tasks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("permissions", "0002_role_groups"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(configure, migrations.RunPython.noop)]
