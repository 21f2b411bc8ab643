from django.core.management.commands import loaddata

from kb.models import Code


class Command(loaddata.Command):
    """Django's loaddata, then a rebuild of the search index.

    loaddata saves raw rows and skips save() and signals, so the derived
    search index would silently miss what it loads. Overriding the command
    covers every way fixtures arrive: `make db`, TestCase.fixtures and a
    hand-typed `manage.py loaddata`.
    """

    help = loaddata.Command.help + " Then rebuilds the search index."

    def handle(self, *fixture_labels, **options):
        super().handle(*fixture_labels, **options)
        Code.objects.using(self.using).rebuild_search_index()
