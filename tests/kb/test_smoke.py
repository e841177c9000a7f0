import pytest
from wagtail.models import Site

from kb.models import KnowledgeHomePage


@pytest.mark.django_db
def test_migrations_make_the_knowledge_home_the_site_root():
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, KnowledgeHomePage)
