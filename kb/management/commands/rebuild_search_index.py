from django.core.management.base import BaseCommand

from kb.models import Code, SearchWord


class Command(BaseCommand):
    help = (
        "Rebuild the search index and spelling vocabulary from the published entries. loaddata and "
        "the admin do it on their own; run it after changing entries any other way (shell, SQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="The database to rebuild the index of.")

    def handle(self, *args, database, **options):
        Code.objects.using(database).rebuild_search_index()
        entries = Code.objects.using(database).published().count()
        words = SearchWord.objects.using(database).count()
        self.stdout.write(f"Indexed {entries} published entries and {words} words.")
