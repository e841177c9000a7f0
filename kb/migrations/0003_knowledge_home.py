from django.db import migrations


def create_knowledge_home(apps, schema_editor):
    """Replace Wagtail's welcome page by the knowledge home and make it the default site's root."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    KnowledgeHomePage = apps.get_model("kb", "KnowledgeHomePage")

    root = Page.objects.filter(depth=1).first()
    if root is None or KnowledgeHomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home", content_type__app_label="wagtailcore").delete()
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])

    content_type, _ = ContentType.objects.get_or_create(model="knowledgehomepage", app_label="kb")
    locale = Locale.objects.first()
    home = KnowledgeHomePage.objects.create(
        title="知库",
        draft_title="知库",
        slug="home",
        content_type=content_type,
        path=root.path + f"{root.numchild + 1:04d}",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        intro="企业知识库与帮助中心",
    )
    root.numchild += 1
    root.save(update_fields=["numchild"])
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "知库"},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0002_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_knowledge_home, migrations.RunPython.noop)]
