import functools
import html
import re

from django import template
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe

from kb.markup import render_markdown

register = template.Library()

# "RFC 5321 §4.2.3 …" or "RFC 3463 section 3.2 …": link the RFC and its section.
RFC_REFERENCE = re.compile(r"RFC\s?(\d{3,5})(?:,?\s*(?:§|section)\s*([0-9]+(?:\.[0-9]+)*))?", re.IGNORECASE)


@register.filter
def markdown(text):
    return mark_safe(render_markdown(text))


@register.filter
def lead_paragraph(text):
    """The first paragraph of a markdown text, rendered: an entry's meaning in brief."""
    return mark_safe(render_markdown(_PARAGRAPH_BREAK.split(text.strip(), maxsplit=1)[0]))


_PARAGRAPH_BREAK = re.compile(r"\r?\n[ \t]*\r?\n")


@register.filter
def breakable(text):
    """text, escaped, allowed to wrap after an @ and before a dot: long addresses wrap at their parts."""
    # No entity html.escape() writes contains a dot or an @.
    return mark_safe(html.escape(str(text)).replace("@", "@<wbr>").replace(".", "<wbr>."))


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


@register.filter
def highlight(text, query):
    """text, escaped, with the words and codes of a search query wrapped in <mark>.

    Matches are found in the raw text and every piece is escaped on its own,
    so a match can never cut through an entity (&amp;) or let markup through.
    """
    pattern = _terms_pattern(query.highlighted) if query else None
    if pattern is None:
        return escape(text)
    # html.escape is what Django's escape() calls, without its lazy-string wrapper.
    pieces, end = [], 0
    for match in pattern.finditer(text):
        pieces += [html.escape(text[end : match.start()]), "<mark>", html.escape(match.group()), "</mark>"]
        end = match.end()
    pieces.append(html.escape(text[end:]))
    return mark_safe("".join(pieces))


@register.filter
def excerpt(markdown_text, query, width=200):
    """A plain-text piece of a markdown text (a summary, a reply) around the first word of the query it contains."""
    pattern = _terms_pattern(query.highlighted) if query else None
    match = pattern.search(markdown_text) if pattern else None
    # Only the window around the match is cleaned of markdown: summaries run to a few kilobytes.
    start = max(0, match.start() - width // 3) if match and match.end() > width else 0
    text = _plain(markdown_text[start : start + 2 * width])
    if start:
        text = "… " + text[text.find(" ") + 1 :]
    if len(text) > width:
        text = text[: text.rfind(" ", 0, width)] + " …"
    return text


def _plain(markdown_text):
    return " ".join(_MARKDOWN_NOISE.sub(lambda m: m.group(1) or "", markdown_text).split())


# [text](target) keeps its text; emphasis, code and heading marks go.
_MARKDOWN_NOISE = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`#>]+")
# Word endings dropped before matching, so "bounces" also marks "bounce" and "bounced".
_ENDINGS = re.compile(r"(?:ing|ed|es|s)$")


@functools.lru_cache(maxsize=256)
def _terms_pattern(terms):
    alternatives = []
    for term in terms:
        if "." in term or term.isdigit():
            # A code, not part of a longer number: 5.7.2 must not mark 5.7.26.
            alternatives.append(r"(?<![\w.])" + re.escape(term) + r"(?!\w|\.\d)")
        elif len(term) >= 2:
            stem = _ENDINGS.sub("", term) if len(term) > 4 else term
            alternatives.append(r"\b" + re.escape(stem) + r"\w*")
    if not alternatives:
        return None
    return re.compile("|".join(sorted(alternatives, key=len, reverse=True)), re.IGNORECASE)


class CaptureNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist, self.name = nodelist, name

    def render(self, context):
        # Rendered output is escaped already; kept as such for every place that shows it.
        context[self.name] = mark_safe(self.nodelist.render(context).strip())
        return ""


@register.tag
def capture(parser, token):
    """{% capture name %}…{% endcapture %}: a block's text once, for several tags (the title, og:title)."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% capture %} takes one name: {% capture title %}")
    nodelist = parser.parse(("endcapture",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[1])


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """The page's own address without its query: what a link to it should be.

    Empty where no request is at hand (the 500 page renders without one)."""
    request = context.get("request")
    return request.build_absolute_uri(request.path) if request else ""


# Search engines show about this much of a meta description.
DESCRIPTION_LENGTH = 155


@register.filter
def plain_description(text):
    """Markdown as one line of plain text, cut at a word, for a meta description."""
    plain = " ".join(html.unescape(strip_tags(render_markdown(text))).split())
    if len(plain) <= DESCRIPTION_LENGTH:
        return plain
    return plain[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"


@register.filter
def in_minutes(delta):
    """A timedelta in whole minutes, at least one: how long the admin's lockout lasts."""
    return max(1, round(delta.total_seconds() / 60))
