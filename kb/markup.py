"""The one place markdown becomes HTML, at read time, sanitised.

Editors write markdown in the admin; a hostile or careless edit must never put
script, styles or event handlers on a page, so the rendered HTML goes through
nh3 (an allow-list sanitiser) before it is marked safe.
"""

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "code", "pre", "kbd", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text):
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener",
    )
