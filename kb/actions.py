"""Writes on knowledge-base objects that several callers share (admin, import, demo data)."""

from __future__ import annotations

import re

from kb.models import Product

_PRODUCT_SEPARATORS = re.compile(r"[,，、;；/\n]+")


def split_product_names(text: str) -> list[str]:
    """Split a typed list of products (comma, 、, semicolon or slash separated) into names."""
    return [name.strip() for name in _PRODUCT_SEPARATORS.split(text or "") if name.strip()]


def ensure_products(names: list[str]) -> list[Product]:
    """Return the products with these names, creating the missing ones; order kept."""
    products = []
    for name in names:
        product, _created = Product.objects.get_or_create(name=name[:200])
        if product not in products:
            products.append(product)
    return products
