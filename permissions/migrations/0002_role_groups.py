from django.db import migrations

ROLE_NAMES = [
    "service_agent",
    "rnd_engineer",
    "trainer",
    "knowledge_manager",
    "customer",
    "administrator",
]


def create_role_groups(apps, schema_editor):
    # Groups only: permissions are granted by permissions.signal_handlers after migrate, once
    # every app's permissions exist.
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("permissions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
