"""Service tickets (工单) and the workflow around them, re-exported from one place."""

from customers.tickets.models.feedback import (
    ContactAttempt,
    ContactOutcome,
    Satisfaction,
    SatisfactionVia,
)
from customers.tickets.models.mail import InboundMessage
from customers.tickets.models.replies import ReplyTemplate, TicketReply, TicketReplyVia
from customers.tickets.models.tickets import (
    Ticket,
    TicketCategory,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketNotice,
    TicketPriority,
    TicketStatus,
)
from customers.tickets.models.workflow import AgentGroup, AssignmentRule, BusinessHours, SLAPolicy

__all__ = [
    "AgentGroup",
    "AssignmentRule",
    "BusinessHours",
    "ContactAttempt",
    "ContactOutcome",
    "InboundMessage",
    "ReplyTemplate",
    "SLAPolicy",
    "Satisfaction",
    "SatisfactionVia",
    "Ticket",
    "TicketCategory",
    "TicketChannel",
    "TicketEvent",
    "TicketEventKind",
    "TicketNotice",
    "TicketPriority",
    "TicketReply",
    "TicketReplyVia",
    "TicketStatus",
]
