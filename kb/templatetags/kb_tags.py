import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from kb.markup import render_markdown

register = template.Library()

# "RFC 5321 §4.2.3 …" or "RFC 3463 section 3.2 …": link the RFC and its section.
RFC_REFERENCE = re.compile(r"RFC\s?(\d{3,5})(?:,?\s*(?:§|section)\s*([0-9]+(?:\.[0-9]+)*))?", re.IGNORECASE)


@register.filter
def markdown(text):
    return mark_safe(render_markdown(text))


@register.filter
def reference_link(reference):
    """Turn a reference line into a link to the RFC Editor's page for it, when it names an RFC."""
    match = RFC_REFERENCE.search(reference)
    if not match:
        return reference
    number, section = match.groups()
    url = f"https://www.rfc-editor.org/rfc/rfc{number}"
    if section:
        url += f"#section-{section}"
    return format_html('<a href="{}">{}</a>', url, reference)


@register.inclusion_tag("kb/_severity.html")
def severity_badge(severity):
    return {"severity": severity}


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query with another page number, so filters survive paging."""
    query = context["request"].GET.copy()
    query["page"] = number
    return f"?{query.urlencode()}"
