import gc
import io
import json
import logging
import re
import tempfile
import zipfile
from io import StringIO
from pathlib import Path
from unittest import mock
from urllib.parse import unquote

from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from kb.bounce.reasons import REASONS
from kb.management.commands import analyze_bounce
from kb.models import ExampleReply
from tests.helpers import make_code

REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"
MARKER = "zq-private-marker-7731"
DSN = f"""From: MAILER-DAEMON@mx.example.net
To: alice@example.com
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered. {MARKER}

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; bob@example.org
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; {REPLY}

Final-Recipient: rfc822; carol@example.org
Action: delayed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--B--
"""
ORDINARY = "From: a@example.com\nTo: b@example.org\nSubject: Lunch\n\nShall we meet at noon?\n"


class AnalyzeSetup(TestCase):
    def setUp(self):
        cache.clear()  # the rate limit counts in the cache

    @classmethod
    def setUpTestData(cls):
        cls.entry = make_code("5.1.1", title="Recipient address does not exist")
        make_code("4.2.2", title="Mailbox full, retrying")
        ExampleReply.objects.create(code=cls.entry, position=1, source="corpus.eml",
                                    text="550 5.1.1 <a@example.net>: Recipient address rejected: User unknown in local recipient table")


class AnalyzePageTests(AnalyzeSetup):
    def test_the_page_offers_a_textarea_and_an_upload_that_work_without_javascript(self):
        response = self.client.get(reverse("analyze"))
        self.assertContains(response, "<textarea")
        self.assertContains(response, 'type="file"')
        self.assertContains(response, 'enctype="multipart/form-data"')

    def test_a_single_reply_line_finds_its_entry_and_highlights_the_example(self):
        response = self.client.post(reverse("analyze"), {"text": REPLY})
        self.assertContains(response, "bob@example.org")
        self.assertContains(response, "Recipient address does not exist")
        self.assertContains(response, "<mark>550 5.1.1 &lt;a@example.net&gt;")
        self.assertContains(response, "Hard bounce")
        self.assertContains(response, "has its own entry")

    def test_a_dsn_gives_one_result_per_recipient_with_the_span_highlighted(self):
        response = self.client.post(reverse("analyze"), {"text": DSN})
        self.assertContains(response, "2 recipients found")
        self.assertContains(response, "carol@example.org")
        self.assertContains(response, "Soft bounce")
        self.assertContains(response, "<mark>550 5.1.1 &lt;bob@example.org&gt;", count=2)  # excerpt and full text

    def test_an_uploaded_eml_file_is_analysed(self):
        upload = SimpleUploadedFile("bounce.eml", DSN.encode(), content_type="message/rfc822")
        response = self.client.post(reverse("analyze"), {"file": upload})
        self.assertContains(response, "bob@example.org")

    def test_empty_input_gets_a_clear_message(self):
        response = self.client.post(reverse("analyze"), {"text": "   "})
        self.assertContains(response, "nothing to analyse", status_code=400)

    def test_an_ordinary_email_is_explained_not_crashed_on(self):
        response = self.client.post(reverse("analyze"), {"text": ORDINARY})
        self.assertContains(response, "not a bounce", status_code=400)

    def test_a_challenge_response_request_is_explained_as_no_bounce(self):
        text = ("From: Bob via Boxbe <notification@boxbe.example>\nTo: a@example.com\nSubject: Request to join "
                "Bob's Guest List\n\nYour message to bob@example.org was waitlisted.\n")
        response = self.client.post(reverse("analyze"), {"text": text})
        self.assertContains(response, "challenge-response request, not a bounce")

    def test_it_rejects_an_oversize_paste_with_413(self):
        response = self.client.post(reverse("analyze"), {"text": "x" * (1024 * 1024 + 1)})
        self.assertContains(response, "larger than 1 MB", status_code=413)

    def test_it_rejects_an_oversize_upload_with_413(self):
        upload = SimpleUploadedFile("big.eml", b"x" * (10 * 1024 * 1024 + 1))
        response = self.client.post(reverse("analyze"), {"file": upload})
        self.assertEqual(response.status_code, 413)

    def test_hostile_input_is_escaped(self):
        response = self.client.post(reverse("analyze"), {"text": "550 5.1.1 <script>alert(1)</script> no such user"})
        self.assertNotContains(response, "<script>alert(1)")

    @override_settings(RATE_LIMIT_ANALYZE="2/m")
    def test_too_many_analyses_from_one_client_are_refused(self):
        responses = [self.client.post(reverse("analyze"), {"text": REPLY}) for _ in range(3)]
        self.assertEqual([r.status_code for r in responses], [200, 200, 429])
        self.assertContains(responses[2], "550 5.1.1 &lt;bob@example.org&gt;", status_code=429)  # kept in the box
        self.assertNotContains(responses[2], "Recipient address does not exist", status_code=429)  # not analysed


class AnalyzePageLayoutTests(AnalyzeSetup):
    def test_several_recipients_get_a_summary_table_linking_to_each_card(self):
        response = self.client.post(reverse("analyze"), {"text": DSN})
        html = " ".join(response.content.decode().split())
        table = html[html.index('<table class="summary-table">'):html.index("</table>")]
        self.assertEqual(re.findall(r'<th scope="row"><a href="#(result-\d)">', table), ["result-1", "result-2"])
        self.assertIn("bob@<wbr>example<wbr>.org", table)
        self.assertIn('<code>550</code> <code>5.1.1</code>', table)
        self.assertIn('<span class="badge badge-permanent">Hard</span>', table)
        self.assertIn('<span class="badge badge-transient">Soft</span>', table)
        self.assertIn('href="/codes/4.2.2/"', table)
        self.assertIn('<article class="finding" id="result-1"', html)
        self.assertIn('<article class="finding" id="result-2"', html)

    def test_a_single_recipient_needs_no_summary_table(self):
        response = self.client.post(reverse("analyze"), {"text": REPLY})
        self.assertNotContains(response, "<table")
        self.assertContains(response, 'id="result-1"')

    def test_each_card_gives_the_entrys_first_paragraph_and_why_it_matched(self):
        self.entry.summary = "The mailbox **does not exist**.\r\n\r\nA second paragraph, for the entry page."
        self.entry.save()
        response = self.client.post(reverse("analyze"), {"text": REPLY})
        self.assertContains(response, '<div class="entry-lead"><p>The mailbox <strong>does not exist</strong>.</p></div>',
                            html=True)
        self.assertNotContains(response, "A second paragraph")
        self.assertContains(response, "<strong>Why this entry:</strong> The enhanced status code 5.1.1 has its own entry.",
                            html=True)
        self.assertContains(response, "Causes and what to do about 5.1.1")

    def test_the_form_answers_at_its_outcome_and_keeps_the_privacy_note(self):
        for response in (self.client.get(reverse("analyze")), self.client.post(reverse("analyze"), {"text": REPLY})):
            self.assertContains(response, f'action="{reverse("analyze")}#outcome"')
            self.assertContains(response, "Nothing you paste or upload is stored or logged")
        self.assertContains(response, '<h2 id="outcome" tabindex="-1" data-focus-on-load>')

    def test_an_error_is_one_alert_at_the_outcome_linking_to_the_field(self):
        response = self.client.post(reverse("analyze"), {"text": "   "})
        html = response.content.decode()
        self.assertEqual(response.status_code, 400)
        self.assertEqual(html.count('role="alert"'), 1)
        self.assertIn('<div class="alert" role="alert" id="outcome" tabindex="-1" data-focus-on-load>', html)
        self.assertIn('<li><a href="#id_text">Paste a bounce or choose a file first: there is nothing to analyse.</a></li>', html)

    def test_a_field_error_is_named_by_its_field(self):
        response = self.client.post(reverse("analyze"), {"text": "x" * (1024 * 1024 + 1)})
        html = response.content.decode()
        self.assertEqual(response.status_code, 413)
        self.assertEqual(html.count('role="alert"'), 1)
        self.assertIn('aria-describedby="id_text_helptext id_text_error"', html)
        self.assertIn('aria-invalid="true"', html)
        self.assertIn('<span class="field-error" id="id_text_error">That paste is larger than 1 MB.', html)
        self.assertNotIn("That is too large to analyse", html)

    def test_an_oversize_request_refused_before_reading_gets_the_general_message(self):
        response = self.client.generic("POST", reverse("analyze"), b"", CONTENT_LENGTH=str(12 * 1024 * 1024),
                                       content_type="application/x-www-form-urlencoded")
        self.assertContains(response, "That is too large to analyse", status_code=413)
        self.assertContains(response, 'role="alert" id="outcome"', status_code=413)

    @override_settings(RATE_LIMIT_ANALYZE="1/m")
    def test_a_refusal_for_too_many_analyses_is_an_alert(self):
        self.client.post(reverse("analyze"), {"text": REPLY})
        response = self.client.post(reverse("analyze"), {"text": REPLY})
        self.assertContains(response, 'role="alert" id="outcome"', status_code=429)
        self.assertContains(response, "Too many analyses", status_code=429)


class NothingPastedIsKeptTests(AnalyzeSetup):
    def _row_counts(self):
        return {model.__name__: model.objects.count() for model in apps.get_models()}

    def test_analysing_stores_nothing_and_logs_nothing(self):
        before = self._row_counts()
        records = []
        handler = logging.Handler(level=logging.DEBUG)
        handler.emit = records.append
        root = logging.getLogger()
        old_level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            self.client.post(reverse("analyze"), {"text": DSN})
            self.client.post(reverse("analyze"), {"text": ORDINARY + MARKER})
            self.client.post(reverse("api_analyze"), DSN, content_type="text/plain")
            self.client.post(reverse("api_analyze"), ORDINARY + MARKER, content_type="text/plain")
        finally:
            root.removeHandler(handler)
            root.setLevel(old_level)
        self.assertEqual(self._row_counts(), before)
        logged = " ".join(f"{record.getMessage()} {record.__dict__}" for record in records)
        self.assertNotIn(MARKER, logged)
        self.assertNotIn("bob@example.org", logged)


class AnalyzeApiTests(AnalyzeSetup):
    def test_a_raw_body_gives_findings_in_the_contract_shape(self):
        data = self.client.post(reverse("api_analyze"), DSN, content_type="message/rfc822").json()
        self.assertEqual(data["kind"], "dsn")
        first = data["findings"][0]
        for key in ("recipient", "action", "reply_code", "status", "diagnostic", "span", "entry", "example",
                    "hard_bounce", "warnings"):
            self.assertIn(key, first)
        self.assertEqual(first["recipient"], "bob@example.org")
        self.assertEqual(first["reply_code"], "550")
        self.assertEqual(first["status"], "5.1.1")
        self.assertEqual(first["entry"]["code"], "5.1.1")
        self.assertTrue(first["entry"]["url"].endswith("/codes/5.1.1/"))
        self.assertIn("User unknown", first["example"]["text"])
        self.assertIs(first["hard_bounce"], True)
        start, end = first["span"]
        self.assertIn("550 5.1.1", DSN[start:end])
        self.assertIs(data["findings"][1]["hard_bounce"], False)

    def test_a_multipart_file_is_accepted(self):
        upload = SimpleUploadedFile("bounce.eml", DSN.encode())
        data = self.client.post(reverse("api_analyze"), {"file": upload}).json()
        self.assertEqual(len(data["findings"]), 2)

    def test_unusable_input_is_a_json_400(self):
        response = self.client.post(reverse("api_analyze"), ORDINARY, content_type="text/plain")
        self.assertEqual(response.status_code, 400)
        self.assertIn("not a bounce", response.json()["error"])

    def test_oversize_input_is_a_json_413(self):
        response = self.client.post(reverse("api_analyze"), "x" * (11 * 1024 * 1024 + 1), content_type="text/plain")
        self.assertEqual(response.status_code, 413)
        self.assertIn("error", response.json())

    def test_get_is_not_allowed(self):
        self.assertEqual(self.client.get(reverse("api_analyze")).status_code, 405)


class AnalyzeBounceCommandTests(AnalyzeSetup):
    def _files(self, *contents):
        folder = Path(tempfile.mkdtemp())
        paths = []
        for number, content in enumerate(contents):
            path = folder / f"{number}.eml"
            path.write_text(content)
            paths.append(str(path))
        return paths

    def test_jsonl_prints_one_line_per_file_and_recipient(self):
        dsn, ordinary = self._files(DSN, ORDINARY)
        out = StringIO()
        call_command("analyze_bounce", "--jsonl", dsn, ordinary, stdout=out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        self.assertEqual([(l["file"], l["recipient"]) for l in lines],
                         [(dsn, "bob@example.org"), (dsn, "carol@example.org"), (ordinary, None)])
        self.assertEqual(set(lines[0]) - {"error"}, {"file", "recipient", "action", "reply_code", "status",
                                                     "diagnostic", "entry", "hard_bounce", "hard_bounce_why", "reason",
                                                     "advice", "warnings", "provider"})
        self.assertEqual(lines[0]["entry"], "5.1.1")
        self.assertEqual((lines[0]["reason"], lines[0]["advice"]), ("userunknown", "suppress"))
        self.assertIs(lines[1]["hard_bounce"], False)

    def test_a_dash_reads_standard_input(self):
        out = StringIO()
        with mock.patch("sys.stdin", mock.Mock(buffer=mock.Mock(read=lambda: REPLY.encode()))):
            call_command("analyze_bounce", "--jsonl", "-", stdout=out)
        line = json.loads(out.getvalue())
        self.assertEqual((line["file"], line["recipient"], line["entry"]), ("-", "bob@example.org", "5.1.1"))

    def test_the_plain_output_names_recipients_and_entries(self):
        (dsn,) = self._files(DSN)
        out = StringIO()
        call_command("analyze_bounce", dsn, stdout=out)
        self.assertIn("bob@example.org: 550 5.1.1 (hard) -> 5.1.1 Recipient address does not exist", out.getvalue())


def _mbox(*bodies):
    return "".join(f"From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n{body}\n" for body in bodies).encode()


class AnalyzeBatchPageTests(AnalyzeSetup):
    def test_an_uploaded_mbox_gets_a_summary_then_each_recipient_with_reason_and_advice(self):
        upload = SimpleUploadedFile("night.mbox", _mbox(DSN, DSN, ORDINARY))
        response = self.client.post(reverse("analyze"), {"file": upload})
        self.assertContains(response, "4 recipients found")
        html = response.content.decode()
        self.assertLess(html.index("batch-summary-heading"), html.index('id="result-1"'))
        self.assertIn(">By reason</caption>", html)
        self.assertIn('href="/reasons/#userunknown">userunknown</a>', html)
        self.assertIn("<strong>Suppress</strong>", html)
        self.assertIn("1 message could not be read as a bounce", html)
        self.assertIn("In night.mbox #1", html)

    def test_several_files_are_read_as_one_batch(self):
        uploads = [SimpleUploadedFile("a.eml", DSN.encode()), SimpleUploadedFile("b.eml", REPLY.encode())]
        response = self.client.post(reverse("analyze"), {"file": uploads})
        self.assertContains(response, "3 recipients found")
        self.assertContains(response, "(2 messages)")

    def test_the_downloads_carry_every_finding_in_the_link_itself(self):
        upload = SimpleUploadedFile("night.mbox", _mbox(DSN, DSN))
        html = self.client.post(reverse("analyze"), {"file": upload}).content.decode()
        link = re.search(r'href="data:text/csv;charset=utf-8,([^"]+)" download="bounces.csv"', html).group(1)
        lines = unquote(link.replace("&amp;", "&")).splitlines()
        self.assertTrue(lines[0].startswith("file,recipient,action,reply_code,status"))
        self.assertEqual(len(lines), 5)

    def test_the_cards_come_a_page_at_a_time_and_the_buttons_post_the_form_again(self):
        pasted = _pasted_mbox(5)
        with mock.patch("kb.views.MAX_CARDS", 2):
            first = self.client.post(reverse("analyze"), {"text": pasted}).content.decode()
            third = self.client.post(reverse("analyze"), {"text": pasted, "page": "3"}).content.decode()
            beyond = self.client.post(reverse("analyze"), {"text": pasted, "page": "9"}).content.decode()
        self.assertIn("Recipients 1–2 of 5 (page 1 of 3)", first)
        self.assertIn('form="analyze-form" name="page" value="2"', first)
        self.assertIn("user0@example.org", first)
        self.assertNotIn('id="result-3"', first)
        self.assertIn("Recipients 5–5 of 5 (page 3 of 3)", third)
        self.assertIn("user4@example.org</h3>", third.replace("<wbr>", ""))
        self.assertIn('name="page" value="2">Previous', third)
        self.assertNotIn("Next recipients", third)
        self.assertIn("Recipients 5–5 of 5 (page 3 of 3)", beyond)  # a page past the end shows the last
        self.assertIn("user1@example.org</h3>", first.replace("<wbr>", ""))
        self.assertNotIn("user1@example.org</h3>", third.replace("<wbr>", ""))

    def test_one_page_of_cards_has_no_page_buttons(self):
        html = self.client.post(reverse("analyze"), {"text": _pasted_mbox(2)}).content.decode()
        self.assertNotIn("Pages of recipients", html)

    def test_reaching_the_message_cap_is_said_on_the_page(self):
        with mock.patch("kb.forms.WEB_LIMITS", mock.Mock(max_messages=2, max_bytes=10**9, max_ratio=100)):
            response = self.client.post(reverse("analyze"), {"file": SimpleUploadedFile("m.mbox", _mbox(DSN, DSN, DSN))})
        self.assertContains(response, "Only the first 2 messages were analysed")

    def test_a_zip_bomb_is_a_413_with_its_own_message(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("bomb.eml", b"x" * 5_000_000)
        response = self.client.post(reverse("analyze"), {"file": SimpleUploadedFile("b.zip", out.getvalue())})
        self.assertContains(response, "refused without unpacking", status_code=413)

    def test_the_reasons_page_explains_every_reason_and_its_advice(self):
        response = self.client.get(reverse("reasons"))
        for name in REASONS:
            self.assertContains(response, f'<tr id="{name}">')
        self.assertContains(response, "suppress-after-repeats")


class AnalyzeBatchApiTests(AnalyzeSetup):
    def test_each_finding_has_a_reason_advice_and_why(self):
        first = self.client.post(reverse("api_analyze"), DSN, content_type="message/rfc822").json()["findings"][0]
        self.assertEqual((first["reason"], first["advice"]), ("userunknown", "suppress"))
        self.assertTrue(first["advice_why"])
        self.assertIn("5.1.1", first["matched_because"])

    def test_an_mbox_body_gives_each_findings_message_and_a_summary(self):
        data = self.client.post(reverse("api_analyze"), _mbox(DSN, DSN), content_type="application/mbox").json()
        self.assertEqual(data["kind"], "batch")
        self.assertEqual([f["message"] for f in data["findings"]], ["body #1", "body #1", "body #2", "body #2"])
        self.assertEqual(data["summary"]["recipients"], 4)
        self.assertEqual(data["summary"]["reason"], {"userunknown": 2, "mailboxfull": 2})


class AnalyzeBounceBatchCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_code("5.1.1", title="Recipient address does not exist")

    def _file(self, data, name="night.mbox"):
        path = Path(tempfile.mkdtemp()) / name
        path.write_bytes(data)
        return str(path)

    def test_an_mbox_of_more_than_fifty_messages_is_read_to_the_end(self):
        path = self._file(_mbox(*[REPLY.replace("bob", f"user{n}") for n in range(60)]))
        out = StringIO()
        call_command("analyze_bounce", "--jsonl", path, stdout=out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        self.assertEqual(len(lines), 60)
        self.assertEqual({line["file"] for line in lines}, {path})
        self.assertEqual(lines[59]["recipient"], "user59@example.org")

    def test_the_paused_collector_runs_every_so_many_messages_and_is_on_again_after(self):
        path = self._file(_pasted_mbox(25).encode())
        with mock.patch.object(analyze_bounce, "COLLECT_EVERY", 10), \
                mock.patch.object(analyze_bounce.gc, "collect", wraps=gc.collect) as collect:
            call_command("analyze_bounce", "--jsonl", path, stdout=StringIO())
        self.assertEqual(collect.call_count, 2)
        self.assertTrue(gc.isenabled())

    def test_output_goes_out_in_blocks_but_message_by_message_on_a_terminal(self):
        path = self._file(_pasted_mbox(5).encode())
        for terminal, writes in ((False, 1), (True, 5)):
            with self.subTest(terminal=terminal):
                out = _CountingStream(terminal)
                call_command("analyze_bounce", "--jsonl", path, stdout=out)
                self.assertEqual(out.writes, writes)
                self.assertEqual(len(out.getvalue().splitlines()), 5)

    def test_csv_has_the_contract_columns(self):
        out = StringIO()
        call_command("analyze_bounce", "--csv", self._file(DSN.encode(), "a.eml"), stdout=out)
        rows = out.getvalue().splitlines()
        self.assertEqual(rows[0], "file,recipient,action,reply_code,status,diagnostic,entry,hard_bounce,hard_bounce_why,reason,advice,warnings,provider")
        self.assertEqual(len(rows), 3)
        self.assertIn(",userunknown,suppress,", rows[1])

    def test_summary_counts_by_reason_and_advice(self):
        out = StringIO()
        call_command("analyze_bounce", "--summary", self._file(_mbox(DSN, DSN, ORDINARY)), stdout=out)
        text = out.getvalue()
        self.assertIn("3 message(s), 4 recipient(s), 1 not read as bounces", text)
        self.assertRegex(text, r"By reason:\n\s+2\s+50.0%\s+userunknown")
        self.assertIn("By advice:", text)


class _CountingStream(StringIO):
    """A stdout that counts its writes and says whether it is a terminal."""

    def __init__(self, terminal):
        super().__init__()
        self.terminal, self.writes = terminal, 0

    def isatty(self):
        return self.terminal

    def write(self, text):
        self.writes += 1
        return super().write(text)


def _pasted_mbox(count):
    """An mbox of `count` Postfix-style bounces, for user0@example.org, user1@... in turn."""
    return "".join(f"From MAILER-DAEMON Thu Apr 29 23:34:45 2010\nFrom: MAILER-DAEMON@mx.example.net\n"
                   f"To: alice@example.com\nSubject: Undelivered Mail\n\n<user{n}@example.org>: host "
                   f"mx.example.org[192.0.2.1] said: 550 5.1.1 User unknown\n\n" for n in range(count))
