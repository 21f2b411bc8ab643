"""Shared test helpers: the published knowledge base and small builders."""

from pathlib import Path

from kb.models import Code

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures"
# The order `make db` loads them in: what codes point at must come first.
KB_FIXTURES = ["categories.yaml", "providers.yaml", *sorted(p.name for p in FIXTURE_DIR.glob("codes-*.yaml"))]


def make_code(code, title="A title", standing=Code.Standing.RFC, **fields):
    fields.setdefault("summary", f"What {code} means.")
    return Code.objects.create(code=code, title=title, standing=standing, **fields)


def page_text(response):
    """The response body with runs of whitespace collapsed, for asserting on wrapped prose."""
    return " ".join(response.content.decode().split())
