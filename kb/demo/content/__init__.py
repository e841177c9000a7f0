"""The demo content as plain data, one module per kind."""

from kb.demo.content.articles import ARTICLES
from kb.demo.content.cases import CASES
from kb.demo.content.customers import CUSTOMERS, TICKETS
from kb.demo.content.documents import DOCUMENTS
from kb.demo.content.faqs import FAQS
from kb.demo.content.organisation import COMPANY, DEPARTMENTS, STAFF_MAIL_DOMAIN, USERS
from kb.demo.content.tree import CATEGORIES

__all__ = [
    "ARTICLES",
    "CASES",
    "CATEGORIES",
    "COMPANY",
    "CUSTOMERS",
    "DEPARTMENTS",
    "DOCUMENTS",
    "FAQS",
    "STAFF_MAIL_DOMAIN",
    "TICKETS",
    "USERS",
]
