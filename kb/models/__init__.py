"""The knowledge base's models, one module per concern, imported from here (`kb.models`)."""

from kb.feedback_models import PageFeedback
from kb.models.engagement import Favourite, PageUsageDay
from kb.models.notifications import Notification
from kb.models.pages import (
    ArticlePage,
    CaseHistoryPage,
    CategoryPage,
    FAQPage,
    KnowledgeHomePage,
    KnowledgePage,
    KnowledgePageTag,
    PageAttachment,
    PageRelation,
)
from kb.models.snippets import Product
from kb.models.structured import (
    FieldKind,
    KnowledgeTemplate,
    StructuredItemPage,
    TemplateField,
)
from kb.models.trash import RecycleBinPage, TrashedPage
from kb.models.workflow import DepartmentReviewTask, KnowledgeManagerApprovalTask

__all__ = [
    "ArticlePage",
    "CaseHistoryPage",
    "CategoryPage",
    "DepartmentReviewTask",
    "FAQPage",
    "Favourite",
    "FieldKind",
    "KnowledgeHomePage",
    "KnowledgeManagerApprovalTask",
    "KnowledgePage",
    "KnowledgePageTag",
    "KnowledgeTemplate",
    "Notification",
    "PageAttachment",
    "PageFeedback",
    "PageRelation",
    "PageUsageDay",
    "Product",
    "RecycleBinPage",
    "StructuredItemPage",
    "TemplateField",
    "TrashedPage",
]
