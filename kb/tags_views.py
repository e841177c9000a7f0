"""Reader pages of a tag and of a product: the knowledge the viewer may see, nothing else.

A tag or product that the viewer sees nothing under is a 404, so that its name (and how much
hides behind it) is not disclosed by a tag used only on confidential pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.text import capfirst
from taggit.models import Tag
from wagtail.models import Page

from kb.models import CaseHistoryPage, FAQPage, KnowledgePageTag, Product
from permissions.policy import is_internal, visible_pages, visible_to

ITEMS_PER_PAGE = 30


@dataclass(frozen=True)
class ListedPage:
    page: Page
    kind: str
    url: str | None


def list_tagged_pages(viewer, tag: Tag):
    """Return the live knowledge pages carrying `tag` that `viewer` may see, newest first."""
    tagged = KnowledgePageTag.objects.filter(tag=tag).values("content_object_id")
    pages = Page.objects.live().filter(pk__in=tagged)
    return visible_pages(viewer, pages).order_by("-first_published_at", "pk")


def list_product_knowledge(viewer, product: Product):
    """Return the FAQs and the case histories about `product` that `viewer` may see."""
    faqs = visible_to(viewer, FAQPage.objects.filter(products=product)).order_by("title")
    cases = visible_to(viewer, CaseHistoryPage.objects.filter(product=product)).order_by(
        "-first_published_at", "pk"
    )
    return faqs, cases


def tag_page(request, slug):
    """List the knowledge pages with one tag, as far as the viewer may see them."""
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        raise Http404
    pages = list_tagged_pages(request.user, tag)
    page_obj = Paginator(pages.specific(), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    if not page_obj.object_list:
        raise Http404
    items = [
        ListedPage(page=page, kind=capfirst(page._meta.verbose_name), url=page.get_url(request))
        for page in page_obj.object_list
    ]
    return render(request, "kb/tag_page.html", {"tag": tag, "items": items, "page_obj": page_obj})


def product_page(request, pk):
    """List the FAQs and case histories that apply to a product, as far as the viewer may see."""
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise Http404
    faqs, cases = list_product_knowledge(request.user, product)
    # Staff choose products in the editor and may know the list; others learn that a product
    # exists only through knowledge they may read.
    if not is_internal(request.user) and not (faqs.exists() or cases.exists()):
        raise Http404
    return render(
        request,
        "kb/product_page.html",
        {
            "product": product,
            "faqs": Paginator(faqs, ITEMS_PER_PAGE).get_page(request.GET.get("faqs")),
            "cases": Paginator(cases, ITEMS_PER_PAGE).get_page(request.GET.get("cases")),
        },
    )
