from django.core.management.base import BaseCommand, CommandError

from kb.content_checks import all_problems


class Command(BaseCommand):
    help = "Check the published knowledge base: coverage, sections, standing, examples and links."

    def add_arguments(self, parser):
        parser.add_argument("prefix", nargs="*", help="Only report codes starting with these, e.g. 5.7. or 45")

    def handle(self, *args, prefix, **options):
        problems = [(code, problem) for code, problem in all_problems() if not prefix or code.startswith(tuple(prefix))]
        for code, problem in problems:
            self.stdout.write(f"{code}: {problem}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the knowledge base.")
        self.stdout.write(self.style.SUCCESS("The knowledge base is complete and consistent."))
