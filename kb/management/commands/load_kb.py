from django.core.management import call_command
from django.core.management.base import BaseCommand

from kb.fixture_files import fixture_files


class Command(BaseCommand):
    help = "Load the published knowledge base (every fixture, in order) and rebuild the search index."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        # kb's loaddata rebuilds the search index once, after every file is in.
        call_command("loaddata", *fixture_files(), database=database, verbosity=options["verbosity"])
