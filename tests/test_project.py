import json
import os
import subprocess
import tempfile
import sys
from unittest import mock
from io import StringIO
from pathlib import Path

import yaml
from django.core.management import call_command
from django.conf import settings
from django.test import SimpleTestCase, TestCase, override_settings
from reversion.models import Revision, Version

from kb import settings as kb_settings
from kb.models import Category, Code, Provider
from tests.helpers import KnowledgeBaseTestCase

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def run_python(code, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "HTTPS")}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)


class MigrationTests(TestCase):
    def test_no_model_change_lacks_a_migration(self):
        out = StringIO()
        try:
            call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
        except SystemExit:
            self.fail(f"Missing migrations:\n{out.getvalue()}")


class FixtureTests(KnowledgeBaseTestCase):

    def test_the_fixtures_load_into_this_database(self):
        self.assertGreater(Code.objects.count(), 0)
        self.assertGreater(Category.objects.count(), 0)
        self.assertGreater(Provider.objects.count(), 0)

    def test_loading_the_fixtures_records_no_history(self):
        self.assertFalse(Revision.objects.exists())
        self.assertFalse(Version.objects.exists())

    def test_loading_the_fixtures_twice_changes_nothing(self):
        counts = [model.objects.count() for model in (Code, Category, Provider)]
        # Natural keys make a second load update rows in place; one file of each kind shows it.
        call_command("loaddata", "categories.yaml", "providers.yaml", "codes-unofficial.yaml", verbosity=0)
        self.assertEqual([model.objects.count() for model in (Code, Category, Provider)], counts)
        self.assertEqual(Code.objects.get(code="441").causes.count(), 3)


class StaticFilesTests(SimpleTestCase):
    def test_collectstatic_builds_the_compressed_manifest_production_serves(self):
        with tempfile.TemporaryDirectory() as root, override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
            call_command("collectstatic", "--noinput", verbosity=0)
            manifest = json.loads((Path(root) / "staticfiles.json").read_text())
            css = manifest["paths"]["kb/site.css"]
            self.assertTrue((Path(root) / f"{css}.gz").exists())


class SettingsTests(SimpleTestCase):
    def test_serving_without_a_secret_key_in_production_fails_clearly(self):
        result = run_python("import kb.wsgi")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("SECRET_KEY is not set", result.stderr)

    def test_a_yes_no_setting_that_is_neither_stops_start_up_naming_it(self):
        result = run_python("import kb.settings", HTTPS="ture")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("HTTPS='ture' is neither true nor false", result.stderr)

    def test_yes_no_settings_read_the_usual_words(self):
        for value, expected in [("on", True), ("Yes", True), ("0", False), ("off", False), ("", "default")]:
            with self.subTest(value=value), mock.patch.dict(os.environ, {"SMTP_KB_FLAG": value}):
                self.assertEqual(kb_settings.envbool("SMTP_KB_FLAG", "default"), expected)

    def test_serving_with_debug_on_needs_no_secret_key(self):
        self.assertEqual(run_python("import kb.wsgi", DEBUG="1").returncode, 0)

    def test_the_deploy_check_is_clean_with_production_settings(self):
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT, capture_output=True, text=True,
            env={**os.environ, "SECRET_KEY": "x" * 60 + "a-long-random-production-key", "ALLOWED_HOSTS": "smtp-kb.example",
                 "DEBUG": "0", "HTTPS": "1"},
        )
        self.assertEqual(result.returncode, 0, result.stderr + result.stdout)


class StartUpTests(SimpleTestCase):
    def test_a_command_starts_without_importing_the_site_views(self):
        # analyze_bounce on a mailbox pays its start-up once; the views bring the whole site.
        script = ("import sys, django; django.setup(); "
                  "import kb.management.commands.analyze_bounce; print('kb.views' in sys.modules)")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kb.settings"}
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                                cwd=settings.BASE_DIR, check=True)
        self.assertEqual(result.stdout.strip(), "False")


class FixtureKeysTests(SimpleTestCase):
    def test_no_two_fixture_objects_share_a_natural_key(self):
        # loaddata updates by natural key: a second object with the key of another replaces it unseen.
        seen = {}
        for path in sorted((settings.BASE_DIR / "fixtures").glob("*.yaml")):
            for obj in yaml.safe_load(path.read_text()) or []:
                fields = obj["fields"]
                if "code" in fields and "position" in fields:
                    key = (obj["model"], tuple(fields["code"]), fields["position"])
                elif "slug" in fields:
                    key = (obj["model"], fields["slug"])
                elif obj["model"] == "kb.code":
                    key = (obj["model"], fields["code"])
                else:
                    continue
                with self.subTest(key=key):
                    self.assertFalse(key in seen, f"{path.name} repeats the key of an object in {seen.get(key)}")
                seen[key] = path.name
