"""Entry points to the knowledge managers' tools are shown to them and to no one else."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("knowledge_manager", True),
        ("agent", False),
        ("customer_user", False),
        ("rnd_engineer", False),
    ],
)
def test_reader_feedback_link_in_the_site_header(request, client, who, sees):
    client.force_login(request.getfixturevalue(who))
    html = client.get("/search/").content.decode()
    assert ('href="/kb/feedback/"' in html) is sees


@pytest.mark.parametrize(("who", "sees"), [("knowledge_manager", True), ("agent", False)])
def test_faq_import_in_the_admin_menu(request, client, who, sees):
    client.force_login(request.getfixturevalue(who))
    html = client.get("/admin/").content.decode()
    assert ("/kb/faq-import/" in html) is sees
