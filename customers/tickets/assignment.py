"""Assignment rules and round-robin: which group and which agent a new ticket goes to."""

from __future__ import annotations

from django.utils.translation import gettext as _

from customers.tickets.models import AgentGroup, AssignmentRule, TicketEventKind
from customers.tickets.notify import record_event
from permissions.policy import is_service_staff


def next_agent(group: AgentGroup):
    """Return the group's next agent in turn and move the round-robin on; None if it has none.

    Locks the group row, so two tickets created at once go to two agents."""
    group = AgentGroup.objects.select_for_update().get(pk=group.pk)
    agents = [
        user
        for user in group.members.filter(is_active=True).order_by("pk")
        if is_service_staff(user)
    ]
    if not agents:
        return None
    after = group.last_assigned_id
    chosen = next((agent for agent in agents if after is None or agent.pk > after), agents[0])
    group.last_assigned = chosen
    group.save(update_fields=["last_assigned"])
    return chosen


def apply_assignment_rules(ticket) -> AssignmentRule | None:
    """Fire the first active rule matching a new ticket; record it on the timeline.

    Sets group, agent (in turn) and priority on the unsaved fields; the caller saves."""
    for rule in AssignmentRule.objects.filter(active=True).select_related("group", "product"):
        if not rule.matches(ticket):
            continue
        changes = {"group": rule.group.name}
        ticket.group = rule.group
        if rule.set_priority and rule.set_priority != ticket.priority:
            changes["priority"] = rule.set_priority
            ticket.priority = rule.set_priority
        if rule.round_robin and ticket.assignee_id is None:
            agent = next_agent(rule.group)
            if agent is not None:
                ticket.assignee = agent
                changes["assignee"] = agent.get_username()
        record_event(
            ticket,
            TicketEventKind.RULE,
            _("Rule “%(rule)s” assigned the ticket to %(group)s.")
            % {"rule": rule.name, "group": rule.group.name},
            rule=rule.pk,
            **changes,
        )
        return rule
    return None
