from django.core.management.base import BaseCommand

from kb.models import Code


class Command(BaseCommand):
    help = (
        "Tell every app process that the content changed, so that search and the page cache read it anew. "
        "loaddata and the admin do it on their own; run it after changing entries any other way (shell, SQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="The database whose content changed.")

    def handle(self, *args, database, **options):
        Code.objects.using(database).rebuild_search_index()
        index = Code.objects.using(database).search_index()
        self.stdout.write(f"Indexed {len(index.entries)} published entries and {len(index.vocabulary.counts)} words.")
