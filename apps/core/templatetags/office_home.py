from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join

from apps.core.admin_home import home_blocks

register = template.Library()


@register.simple_tag(takes_context=True)
def office_home(context) -> str:
    """The signed-in role's blocks of the day (apps.core.admin_home); each is
    rendered by its own template (a safe string, its values escaped there)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return ""
    blocks = home_blocks(request)
    return format_html_join("", "{}", ((render_to_string(b["template"], b, request=request),) for b in blocks))
