"""The fixtures that make the published knowledge base, in the order they load.

What a record points at loads first: categories and providers, then the
entries (codes-*.yaml), then the real replies filed under them (replies-*.yaml)
and the search phrases that point at entries.
`manage.py load_kb`, the tests and the benchmarks all load this list.
"""

from pathlib import Path

FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_files():
    def named(pattern):
        return sorted(path.name for path in FIXTURE_DIR.glob(pattern))

    return ["categories.yaml", "providers.yaml", *named("codes-*.yaml"), *named("replies-*.yaml"), *named("phrases-*.yaml")]
