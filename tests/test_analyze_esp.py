"""ESP webhook events through the page, the API and the command line."""
import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from tests.helpers import page_text
from tests.test_analyze import AnalyzeSetup

REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"
EVENTS = json.dumps([
    {"email": "bob@example.org", "event": "bounce", "type": "bounce", "sg_event_id": "e1", "reason": REPLY,
     "status": "5.1.1"},
    {"email": "carol@example.org", "event": "dropped", "sg_event_id": "e2", "reason": "Unsubscribed Address"},
], indent=2)
# Mailgun calls this permanent; the reply code says it is temporary.
CONTRADICTED = json.dumps({"event-data": {
    "event": "failed", "severity": "permanent", "reason": "bounce", "recipient": "dave@example.org",
    "delivery-status": {"code": 452, "enhanced-code": "4.2.2", "message": "4.2.2 The email account that you tried to reach is over quota."}}})


class EspApiTests(AnalyzeSetup):
    def test_an_esp_event_gives_its_kind_verdict_and_span(self):
        data = self.client.post(reverse("api_analyze"), EVENTS, content_type="application/json").json()
        self.assertEqual(data["kind"], "esp:sendgrid")
        bounce, dropped = data["findings"]
        self.assertEqual((bounce["reply_code"], bounce["status"], bounce["entry"]["code"]), ("550", "5.1.1", "5.1.1"))
        self.assertEqual(EVENTS[slice(*bounce["span"])], REPLY)
        self.assertEqual(bounce["esp"], {"esp": "sendgrid", "event": "bounce", "permanent": True,
                                         "bounce_type": "bounce", "detail": None})
        self.assertIsNone(bounce["note"])
        self.assertEqual(dropped["esp"]["detail"], "Unsubscribed Address")
        self.assertIn("no SMTP reply", dropped["note"])

    def test_broken_json_is_a_json_400_saying_where(self):
        response = self.client.post(reverse("api_analyze"), '{"event": "bounce",', content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("does not parse", response.json()["error"])

    def test_a_verdict_the_codes_contradict_is_a_warning(self):
        finding = self.client.post(reverse("api_analyze"), CONTRADICTED, content_type="application/json").json()["findings"][0]
        self.assertTrue(any(w.startswith("Mailgun calls this a permanent failure") for w in finding["warnings"]))


class EspPageTests(AnalyzeSetup):
    def test_the_page_shows_the_esps_verdict_and_the_note(self):
        response = self.client.post(reverse("analyze"), {"text": EVENTS})
        self.assertContains(response, '<span class="count">(esp:sendgrid)</span>')
        self.assertIn("<strong>What SendGrid said:</strong> event <code>bounce</code>, a permanent failure "
                      "(<code>bounce</code>).", page_text(response))
        self.assertContains(response, "<mark>550 5.1.1 &lt;bob@example.org&gt;: Recipient address rejected")
        self.assertContains(response, "carries no SMTP reply from the recipient&#x27;s server")

    def test_an_unknown_json_names_its_keys_on_the_page(self):
        text = page_text(self.client.post(reverse("analyze"), {"text": '{"colour": "red"}'}))
        self.assertIn("its keys: colour", text)


class EspCommandTests(AnalyzeSetup):
    def test_the_command_reads_an_event_file(self):
        path = Path(tempfile.mkdtemp()) / "events.json"
        path.write_text(EVENTS)
        out = StringIO()
        call_command("analyze_bounce", str(path), stdout=out)
        self.assertIn("esp:sendgrid, 2 recipient(s)", out.getvalue())
        self.assertIn("note: This SendGrid “dropped” event carries no SMTP reply", out.getvalue())
        out = StringIO()
        call_command("analyze_bounce", "--jsonl", str(path), stdout=out)
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        self.assertEqual([(l["recipient"], l["entry"]) for l in lines], [("bob@example.org", "5.1.1"), ("carol@example.org", None)])
