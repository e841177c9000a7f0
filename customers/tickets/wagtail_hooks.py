"""Wagtail hooks of service tickets: the "Service desk" (服务台) snippets menu."""

from wagtail.snippets.models import register_snippet

from customers.tickets.admin import ServiceDeskMenuGroup

register_snippet(ServiceDeskMenuGroup)
