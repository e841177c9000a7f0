"""The vocabulary admin (synonyms, domain dictionary) and the "Search" admin menu."""

from __future__ import annotations

import pytest
from django.urls import reverse

from search.models import DictionaryWord, SearchSynonym

pytestmark = pytest.mark.django_db

SYNONYMS = "wagtailsnippets_search_searchsynonym"
WORDS = "wagtailsnippets_search_dictionaryword"


def test_knowledge_manager_adds_and_edits_a_synonym_group(client, knowledge_manager):
    client.force_login(knowledge_manager)
    assert client.get(reverse(f"{SYNONYMS}:list")).status_code == 200
    response = client.post(reverse(f"{SYNONYMS}:add"), {"terms": "发动机，引擎", "active": "on"})
    assert response.status_code == 302
    group = SearchSynonym.objects.get()
    assert group.words() == ["发动机", "引擎"]
    response = client.post(
        reverse(f"{SYNONYMS}:edit", args=[group.pk]), {"terms": "发动机,引擎,马达", "active": "on"}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.words() == ["发动机", "引擎", "马达"]
    html = client.get(reverse(f"{SYNONYMS}:list")).content.decode()
    assert "马达" in html


def test_knowledge_manager_adds_a_dictionary_word(client, knowledge_manager):
    client.force_login(knowledge_manager)
    response = client.post(reverse(f"{WORDS}:add"), {"word": "涡轮增压器", "frequency": ""})
    assert response.status_code == 302
    assert DictionaryWord.objects.get().word == "涡轮增压器"
    word = DictionaryWord.objects.get()
    response = client.post(reverse(f"{WORDS}:delete", args=[word.pk]))
    assert response.status_code == 302
    assert not DictionaryWord.objects.exists()


def test_administrator_may_manage_the_vocabulary(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse(f"{WORDS}:list")).status_code == 200
    assert client.get(reverse(f"{SYNONYMS}:add")).status_code == 200


@pytest.mark.parametrize("who", ["agent", "rnd_engineer", "trainer", "customer_user"])
def test_others_can_neither_see_nor_change_the_vocabulary(client, request, who):
    SearchSynonym.objects.create(terms="保密词甲,保密词乙")
    client.force_login(request.getfixturevalue(who))
    for url in (
        reverse(f"{SYNONYMS}:list"),
        reverse(f"{SYNONYMS}:add"),
        reverse(f"{WORDS}:list"),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert "保密词甲".encode() not in response.content
    response = client.post(reverse(f"{WORDS}:add"), {"word": "不该有"})
    assert response.status_code in (302, 403)
    assert not DictionaryWord.objects.exists()


def test_search_menu_shown_to_knowledge_managers_only(client, knowledge_manager, agent):
    client.force_login(knowledge_manager)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("search_analytics") in html
    assert reverse(f"{SYNONYMS}:list") in html
    assert reverse(f"{WORDS}:list") in html
    client.force_login(agent)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("search_analytics") not in html
    assert reverse(f"{SYNONYMS}:list") not in html
