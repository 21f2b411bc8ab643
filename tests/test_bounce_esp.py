"""ESP webhook events (kb.bounce.esp): read as JSON by field name, for every ESP family.

The corpus events in tests/data/esp-events are real upstream test payloads with answers; the
events built here follow each ESP's documented schema (field names and event types from its
webhook reference) with replies real servers send, to cover the event types the corpus lacks.
"""
import json
import unittest
from pathlib import Path

from kb.bounce import BounceError, parse
from kb.bounce.esp import looks_like_json, verdict_warning

CORPUS = Path(__file__).resolve().parent / "data" / "esp-events"
GMAIL_UNKNOWN = "550-5.1.1 The email account that you tried to reach does not exist. Please try\n550 5.1.1 double-checking the recipient's email address for typos"
POSTFIX_UNKNOWN = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"
GMAIL_QUOTA = "452 4.2.2 The email account that you tried to reach is over quota."
GREYLISTED = "450 4.2.0 <bob@example.org>: Recipient address rejected: Greylisted"
YAHOO_DEFERRED = "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints"


def read(payload, indent=2):
    """Parse a payload given as Python data, posted the way ESPs post it (indented JSON)."""
    return parse(payload if isinstance(payload, str) else json.dumps(payload, indent=indent))


def only(payload):
    report = read(payload)
    assert len(report.findings) == 1, report.findings
    return report, report.findings[0]


def spanned(report, finding):
    """The diagnostic's span in the pasted text, decoded as the JSON string it stands in."""
    start, end = finding.span
    return json.loads('"' + report.text[start:end] + '"')


class CorpusTests(unittest.TestCase):
    """Every ESP in tests/data/esp-events, checked against reference.jsonl."""

    @classmethod
    def setUpClass(cls):
        cls.rows = [json.loads(line) for line in (CORPUS / "reference.jsonl").read_text().splitlines()]

    def reports(self):
        for row in self.rows:
            with self.subTest(file=row["file"]):
                yield row, parse((CORPUS / "events" / row["file"]).read_bytes())

    def test_each_event_is_named_by_its_esp(self):
        for row, report in self.reports():
            self.assertEqual(report.kind, "esp:" + row["esp"].replace("_", "-"))

    def test_each_failed_recipient_is_found(self):
        for row, report in self.reports():
            self.assertLessEqual(set(row["recipients"]), {f.recipient for f in report.findings})

    def test_codes_are_those_the_payload_carries(self):
        for row, report in self.reports():
            if row["reply_code"]:
                self.assertIn(str(row["reply_code"]), {f.reply_code for f in report.findings})
            if row["status"]:
                self.assertIn(row["status"], {f.status for f in report.findings})

    def test_the_diagnostic_is_the_reply_without_json_around_it(self):
        for row, report in self.reports():
            if not row["diagnostic"]:
                continue
            want = " ".join(row["diagnostic"].split())
            finding = next(f for f in report.findings if f.diagnostic)
            self.assertIn(finding.diagnostic, want)
            self.assertNotRegex(finding.diagnostic, r'"\s*[:,]|\{"|\\"')

    def test_the_span_points_at_the_reply_in_the_pasted_text(self):
        for row, report in self.reports():
            for finding in report.findings:
                if finding.diagnostic:
                    self.assertEqual(" ".join(spanned(report, finding).split()), finding.diagnostic)

    def test_the_esps_own_verdict_is_kept(self):
        for row, report in self.reports():
            if row["permanent"] is not None:
                self.assertIn(row["permanent"], {f.esp.permanent for f in report.findings})

    def test_a_field_missing_or_of_another_type_gives_a_report_or_a_bounce_error(self):
        # Each field of each event deleted, or replaced by null, a list or a number: never a crash.
        for row in self.rows:
            event = json.loads((CORPUS / "events" / row["file"]).read_text())
            for path in _paths(event):
                for variant in _variants(event, path):
                    with self.subTest(file=row["file"], path=path, variant=variant):
                        try:
                            parse(json.dumps(variant))
                        except BounceError:
                            pass

    def test_an_event_without_a_reply_says_so(self):
        for row, report in self.reports():
            for finding in report.findings:
                self.assertEqual(finding.note is None, finding.diagnostic is not None)


def _paths(value, prefix=()):
    """The path of every member of a JSON value (the first elements of its lists)."""
    items = value.items() if isinstance(value, dict) else enumerate(value[:2]) if isinstance(value, list) else ()
    for key, inner in items:
        if isinstance(key, str):
            yield prefix + (key,)
        yield from _paths(inner, prefix + (key,))


def _variants(document, path):
    for replacement in (_DELETE, None, [], 7):
        copy = json.loads(json.dumps(document))
        parent = copy
        for step in path[:-1]:
            parent = parent[step]
        if replacement is _DELETE:
            del parent[path[-1]]
        else:
            parent[path[-1]] = replacement
        yield copy


_DELETE = object()


class AmazonSesTests(unittest.TestCase):
    MAIL = {"timestamp": "2024-05-01T10:00:00.000Z", "source": "alice@example.com", "messageId": "0100018f-aaaa",
            "destination": ["bob@example.org"]}

    def test_a_delivery_delay_lists_its_delayed_recipients(self):
        report, finding = only({"eventType": "DeliveryDelay", "mail": self.MAIL, "deliveryDelay": {
            "timestamp": "2024-05-01T11:00:00.000Z", "delayType": "MailboxFull", "expirationTime": "2024-05-02T10:00:00.000Z",
            "delayedRecipients": [{"emailAddress": "bob@example.org", "status": "4.2.2",
                                   "diagnosticCode": "smtp; " + GMAIL_QUOTA}]}})
        self.assertEqual((report.kind, finding.action, finding.reply_code, finding.status), ("esp:amazon-ses", "delayed", "452", "4.2.2"))
        self.assertEqual((finding.esp.permanent, finding.esp.bounce_type), (False, "MailboxFull"))
        self.assertEqual(spanned(report, finding), GMAIL_QUOTA)

    def test_a_suppression_list_bounce_has_no_reply_and_says_so(self):
        words = ("Amazon SES did not send the message to this address because it is on the suppression list "
                 "for your account.")
        _, finding = only({"notificationType": "Bounce", "mail": self.MAIL, "bounce": {
            "bounceType": "Permanent", "bounceSubType": "OnAccountSuppressionList",
            "bouncedRecipients": [{"emailAddress": "bob@example.org", "action": "failed", "status": "5.1.1",
                                   "diagnosticCode": words}]}})
        self.assertIsNone(finding.diagnostic)
        self.assertIsNone(finding.reply_code)
        self.assertEqual(finding.esp.detail, words)
        self.assertEqual(finding.esp.bounce_type, "Permanent/OnAccountSuppressionList")
        self.assertIn("no SMTP reply", finding.note)

    def test_each_bounced_recipient_of_one_event_is_a_finding(self):
        report = read({"notificationType": "Bounce", "mail": self.MAIL, "bounce": {"bounceType": "Transient",
                       "bounceSubType": "General", "bouncedRecipients": [
                           {"emailAddress": "bob@example.org", "diagnosticCode": "smtp; " + POSTFIX_UNKNOWN},
                           {"emailAddress": "carol@example.org", "diagnosticCode": "smtp; " + GREYLISTED}]}})
        self.assertEqual([(f.recipient, f.reply_code) for f in report.findings],
                         [("bob@example.org", "550"), ("carol@example.org", "450")])
        self.assertEqual([spanned(report, f) for f in report.findings], [POSTFIX_UNKNOWN, GREYLISTED])

    def test_an_sns_envelope_is_opened_and_the_span_points_into_its_message_string(self):
        inner = {"notificationType": "Bounce", "mail": self.MAIL, "bounce": {"bounceType": "Permanent",
                 "bouncedRecipients": [{"emailAddress": "bob@example.org", "diagnosticCode": "smtp; " + POSTFIX_UNKNOWN}]}}
        envelope = {"Type": "Notification", "MessageId": "22b80b92", "TopicArn": "arn:aws:sns:us-east-1:123456789012:ses",
                    "Message": json.dumps(inner)}
        report, finding = only(envelope)
        start, end = finding.span
        # Escaped twice in the envelope: once in the event, once more in the Message string.
        self.assertEqual(json.loads('"' + json.loads('"' + report.text[start:end] + '"') + '"'), POSTFIX_UNKNOWN)

    def test_an_sns_envelope_sent_by_email_is_read_as_the_event(self):
        # An SNS "email-json" subscription mails the whole envelope (Sisimai's lhost-amazonses-10),
        # sometimes through a sendmail that split its long line with "!" (L=, 990 characters).
        inner = {"notificationType": "Bounce", "mail": dict(self.MAIL, source="alice@example.com"), "bounce": {
                 "bounceType": "Permanent", "bouncedRecipients": [
                     {"emailAddress": "bob@example.org", "status": "5.1.1", "diagnosticCode": "smtp; " + POSTFIX_UNKNOWN}]}}
        body = json.dumps({"Type": "Notification", "MessageId": "22b80b92", "Message": json.dumps(inner)}, indent=2)
        split = body.index("Recipient address")
        for name, text in (("whole", body), ("split by sendmail", body[:split] + "!\n " + body[split:])):
            with self.subTest(name):
                report = parse("From: no-reply@sns.amazonaws.com\nTo: alice@example.com\n"
                               "Subject: AWS Notification Message\n\n" + text)
                self.assertEqual(report.kind, "amazon-ses")
                self.assertEqual([(f.recipient, f.reply_code, f.status, f.diagnostic) for f in report.findings],
                                 [("bob@example.org", "550", "5.1.1", POSTFIX_UNKNOWN)])

    def test_a_rendering_failure_names_its_destinations_and_ses_words(self):
        _, finding = only({"eventType": "Rendering Failure", "mail": self.MAIL, "failure": {
            "errorMessage": "Attribute 'name' is not present in the rendering data.", "templateName": "Welcome"}})
        self.assertEqual((finding.recipient, finding.action, finding.diagnostic), ("bob@example.org", "failed", None))
        self.assertEqual(finding.esp.detail, "Attribute 'name' is not present in the rendering data.")

    def test_eventbridge_wraps_the_same_event(self):
        _, finding = only({"version": "0", "detail-type": "Email Bounced", "source": "aws.ses", "detail": {
            "eventType": "Bounce", "mail": self.MAIL, "bounce": {"bounceType": "Permanent", "bouncedRecipients": [
                {"emailAddress": "bob@example.org", "status": "5.1.1", "diagnosticCode": "smtp; " + POSTFIX_UNKNOWN}]}}})
        self.assertEqual((finding.recipient, finding.reply_code, finding.esp.permanent), ("bob@example.org", "550", True))

    def test_a_subscription_confirmation_is_explained(self):
        with self.assertRaisesRegex(BounceError, "subscription confirmation"):
            read({"Type": "SubscriptionConfirmation", "Message": "You have chosen to subscribe",
                  "SubscribeURL": "https://sns.example/confirm"})


class SendGridTests(unittest.TestCase):
    BASE = {"email": "bob@example.org", "timestamp": 1714557600, "smtp-id": "<abc@example.com>",
            "sg_event_id": "ZGVsaXZlcmVk", "sg_message_id": "14c5d75ce93.dfd.64b469"}

    def test_a_block_without_status_carries_no_reply(self):
        _, finding = only([dict(self.BASE, event="bounce", type="blocked", reason="Bounced Address")])
        self.assertIsNone(finding.diagnostic)
        self.assertEqual(finding.esp.detail, "Bounced Address")
        self.assertIn("no SMTP reply", finding.note)

    def test_a_bounce_keeps_the_reply_and_the_classification(self):
        report, finding = only([dict(self.BASE, event="bounce", type="bounce", bounce_classification="Invalid Address",
                                     reason=POSTFIX_UNKNOWN, status="5.1.1")])
        self.assertEqual((finding.reply_code, finding.status, finding.esp.permanent), ("550", "5.1.1", True))
        self.assertEqual(finding.esp.bounce_type, "Invalid Address")
        self.assertEqual(spanned(report, finding), POSTFIX_UNKNOWN)

    def test_a_batch_gives_one_finding_per_failure_and_skips_engagement(self):
        report = read([dict(self.BASE, event="deferred", response=GREYLISTED, attempt="2"),
                       dict(self.BASE, event="open", useragent="Mozilla/5.0"),
                       dict(self.BASE, email="carol@example.org", event="dropped", reason="Unsubscribed Address")])
        self.assertEqual([(f.recipient, f.action) for f in report.findings],
                         [("bob@example.org", "delayed"), ("carol@example.org", "failed")])

    def test_only_engagement_events_are_said_to_hold_no_failure(self):
        with self.assertRaisesRegex(BounceError, "no bounce, deferral"):
            read([dict(self.BASE, event="open"), dict(self.BASE, event="click", url="https://example.com")])


class MailgunTests(unittest.TestCase):
    def event(self, **fields):
        data = {"event": "failed", "severity": "permanent", "reason": "bounce", "recipient": "bob@example.org",
                "timestamp": 1714557600.1, "log-level": "error", "delivery-status": {}}
        data.update(fields)
        return {"signature": {"token": "t", "timestamp": "1714557600", "signature": "s"}, "event-data": data}

    def test_a_temporary_failure_is_a_deferral(self):
        report, finding = only(self.event(severity="temporary", reason="generic", **{"delivery-status": {
            "code": 452, "enhanced-code": "4.2.2", "message": GMAIL_QUOTA[10:], "mx-host": "alt1.aspmx.example.com"}}))
        self.assertEqual((finding.action, finding.reply_code, finding.status), ("delayed", "452", "4.2.2"))
        self.assertEqual(finding.remote_mta, "alt1.aspmx.example.com")
        self.assertEqual(spanned(report, finding), GMAIL_QUOTA[10:])

    def test_mailguns_own_number_is_no_reply_code(self):
        _, finding = only(self.event(reason="suppress-bounce", **{"delivery-status": {
            "code": 605, "message": "", "description": "Not delivering to previously bounced address"}}))
        self.assertIsNone(finding.reply_code)
        self.assertIsNone(finding.diagnostic)
        self.assertEqual(finding.esp.detail, "Not delivering to previously bounced address")

    def test_the_events_api_lists_items(self):
        page = {"items": [self.event()["event-data"] | {"delivery-status": {"code": 550, "message": POSTFIX_UNKNOWN[4:]}}],
                "paging": {"next": "https://api.mailgun.net/v3/example.com/events/W3siYSI6IGZhbHNlfV0="}}
        _, finding = only(page)
        self.assertEqual((finding.recipient, finding.reply_code, finding.status), ("bob@example.org", "550", "5.1.1"))

    def test_mailomat_posts_the_same_delivery_status(self):
        report, finding = only({"id": "e1", "eventType": "failure_temp", "messageUuid": "m1", "recipient": "bob@example.org",
                                "payload": {"event": "failure_temp", "delivery-status": {
                                    "code": 450, "enhanced-code": "4.2.0", "message": GREYLISTED[4:]}}})
        self.assertEqual((report.kind, finding.esp.permanent, finding.reply_code), ("esp:mailomat", False, "450"))


class PostmarkTests(unittest.TestCase):
    RECORD = {"ID": 4323372036854775807, "Type": "SoftBounce", "TypeCode": 4096, "Name": "Soft bounce",
              "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "Description": "The server could not temporarily deliver your message.",
              "Details": "smtp;" + GMAIL_QUOTA, "Email": "bob@example.org", "BouncedAt": "2024-05-01T10:00:00Z",
              "DumpAvailable": False, "Inactive": False, "CanActivate": True, "Subject": "Hello"}

    def test_the_bounces_api_lists_records(self):
        report = read({"TotalCount": 2, "Bounces": [self.RECORD, dict(self.RECORD, Email="carol@example.org",
                                                                         Type="HardBounce", TypeCode=1)]})
        self.assertEqual([(f.recipient, f.esp.permanent, f.reply_code) for f in report.findings],
                         [("bob@example.org", False, "452"), ("carol@example.org", True, "452")])

    def test_a_verdict_the_codes_contradict_is_a_warning(self):
        report = read({"TotalCount": 1, "Bounces": [dict(self.RECORD, Type="HardBounce", TypeCode=1)]})
        warning = verdict_warning(report.findings[0])
        self.assertIn("Postmark calls this a permanent failure (HardBounce)", warning)
        self.assertIn("452 says temporary", warning)

    def test_a_spam_complaint_is_no_bounce(self):
        complaint = dict(self.RECORD, RecordType="SpamComplaint", Type="SpamComplaint", TypeCode=512)
        with self.assertRaisesRegex(BounceError, "no bounce, deferral"):
            read(complaint)

    def test_no_warning_when_they_agree(self):
        _, finding = only(dict(self.RECORD, RecordType="Bounce"))
        self.assertIsNone(verdict_warning(finding))


class SparkPostTests(unittest.TestCase):
    def event(self, kind, **fields):
        body = {"type": kind, "rcpt_to": "bob@example.org", "raw_rcpt_to": "bob@example.org", "message_id": "m1",
                "event_id": "e1", "timestamp": "1714557600", "transmission_id": "t1"}
        return [{"msys": {"message_event": dict(body, **fields)}}]

    def test_an_out_of_band_bounce_reads_its_raw_reason(self):
        report, finding = only(self.event("out_of_band", bounce_class="10", error_code="550", raw_reason=POSTFIX_UNKNOWN,
                                          reason="550 5.1.1 ...@... Recipient address rejected: ..."))
        self.assertEqual((finding.esp.permanent, finding.status), (True, "5.1.1"))
        self.assertEqual(spanned(report, finding), POSTFIX_UNKNOWN)

    def test_a_delay_is_temporary(self):
        _, finding = only(self.event("delay", bounce_class="21", error_code="421", raw_reason=YAHOO_DEFERRED, num_retries="1"))
        self.assertEqual((finding.action, finding.esp.permanent, finding.reply_code), ("delayed", False, "421"))

    def test_a_block_class_says_neither_hard_nor_soft(self):
        _, finding = only(self.event("bounce", bounce_class="50", error_code="554", raw_reason="554 5.7.1 Message rejected"))
        self.assertIsNone(finding.esp.permanent)


class MailjetBrevoMailtrapTests(unittest.TestCase):
    def test_a_mailjet_block_has_mailjets_words_only(self):
        _, finding = only({"event": "blocked", "time": 1714557600, "MessageID": 19421777835146490, "Message_GUID": "g1",
                           "email": "bob@example.org", "mj_campaign_id": 7257, "mj_contact_id": 4, "customcampaign": "",
                           "error_related_to": "recipient", "error": "user unknown"})
        self.assertEqual((finding.diagnostic, finding.esp.bounce_type), (None, "recipient: user unknown"))

    def test_a_brevo_deferral_carries_the_remote_reply(self):
        report, finding = only({"event": "deferred", "email": "bob@example.org", "id": 1, "date": "2024-05-01 10:00:00",
                                "message-id": "<202405011000.1@smtp-relay.mailin.fr>", "ts_event": 1714557600,
                                "reason": YAHOO_DEFERRED})
        self.assertEqual((report.kind, finding.action, finding.reply_code), ("esp:brevo", "delayed", "421"))
        self.assertEqual(spanned(report, finding), YAHOO_DEFERRED)

    def test_a_code_sent_as_text_or_as_a_float_is_the_same_code(self):
        for code in ("550", 550, 550.0):
            _, finding = only({"events": [{"event": "bounce", "email": "bob@example.org", "message_id": "m1",
                                           "event_id": "e1", "response": POSTFIX_UNKNOWN[4:], "response_code": code}]})
            self.assertEqual(finding.reply_code, "550")

    def test_a_mailtrap_reject_is_mailtraps_own(self):
        _, finding = only({"events": [{"event": "reject", "email": "bob@example.org", "message_id": "m1",
                                       "event_id": "e1", "timestamp": 1714557600, "reason": "unsubscribed"}]})
        self.assertEqual((finding.action, finding.esp.detail, finding.diagnostic), ("failed", "unsubscribed", None))


class OtherEspTests(unittest.TestCase):
    def test_postal_soft_fail(self):
        report, finding = only({"event": "MessageDeliveryFailed", "timestamp": 1714557600.0, "uuid": "u1", "payload": {
            "message": {"id": 1, "token": "t", "direction": "outgoing", "to": "bob@example.org", "from": "a@example.com"},
            "status": "SoftFail", "details": "Temporary SMTP delivery error when sending to mx.example.org",
            "output": GREYLISTED, "sent_with_ssl": True, "timestamp": 1714557600.0, "time": 0.2}})
        self.assertEqual((report.kind, finding.esp.permanent, finding.reply_code), ("esp:postal", False, "450"))

    def test_postal_events_about_received_mail_are_no_bounces(self):
        with self.assertRaisesRegex(BounceError, "no bounce, deferral"):
            read({"event": "MessageDeliveryFailed", "timestamp": 1714557600.0, "uuid": "u2", "payload": {
                "message": {"id": 2, "direction": "incoming", "to": "inbox@example.com", "from": "bob@example.org"},
                "status": "HardFail", "details": "Received a 400 from https://example.com/hook.", "output": "Not found"}})

    def test_resend_bounce_type_is_its_verdict_for_each_recipient(self):
        report = read({"type": "email.bounced", "created_at": "2024-05-01T10:00:00.000Z", "data": {
            "email_id": "e1", "from": "Acme <a@example.com>", "to": ["bob@example.org", "carol@example.org"],
            "subject": "Hi", "bounce": {"type": "Transient", "subType": "MailboxFull", "message": "smtp; " + GMAIL_QUOTA}}})
        self.assertEqual([(f.recipient, f.esp.permanent, f.esp.bounce_type, f.reply_code) for f in report.findings],
                         [("bob@example.org", False, "Transient/MailboxFull", "452"),
                          ("carol@example.org", False, "Transient/MailboxFull", "452")])

    def test_mailersend_soft_bounce(self):
        _, finding = only({"type": "activity.soft_bounced", "created_at": "2024-05-01T10:00:00.000000Z", "data": {
            "object": "activity", "id": "a1", "type": "soft_bounced",
            "email": {"object": "email", "id": "m1", "status": "rejected", "recipient": {"email": "bob@example.org"}},
            "morph": {"object": "recipient_bounce", "reason": GMAIL_QUOTA}}})
        self.assertEqual((finding.esp.permanent, finding.reply_code, finding.status), (False, "452", "4.2.2"))

    def test_mailersend_v2_gives_the_code_and_the_reason_in_meta(self):
        _, finding = only({"type": "activity.soft_bounced", "created_at": "2024-05-01T10:00:00.000000Z", "data": {
            "id": "a1", "message_id": "m1", "email_id": "e1", "type": "rejected", "recipient": "bob@example.org",
            "meta": {"bounce_reason": "Unknown reason", "bounce_code": "550", "bounce_type": "soft"}}})
        self.assertEqual((finding.recipient, finding.reply_code, finding.esp.permanent, finding.esp.bounce_type),
                         ("bob@example.org", "550", False, "soft"))
        self.assertEqual((finding.diagnostic, finding.esp.detail), (None, "Unknown reason"))
        self.assertIn("gives the reply code 550 but not the text", finding.note)

    def test_mailomat_not_accepted_is_mailomats_own_refusal(self):
        _, finding = only({"id": "e1", "eventType": "not_accepted", "messageUuid": "m1", "recipient": "bob@example.org",
                           "payload": {"event": "not_accepted", "reason": "Not enough remaining emails available to send 1 emails"}})
        self.assertEqual((finding.action, finding.diagnostic), ("failed", None))
        self.assertEqual(finding.esp.detail, "Not enough remaining emails available to send 1 emails")

    def test_mandrill_deferral_reads_the_last_attempt_from_a_form_field_string(self):
        events = [{"event": "deferral", "ts": 1714557600, "_id": "i1", "msg": {
            "ts": 1714557600, "email": "bob@example.org", "sender": "a@example.com", "state": "deferred", "_id": "i1",
            "smtp_events": [{"ts": 1714557600, "type": "deferred", "diag": GREYLISTED},
                            {"ts": 1714561200, "type": "deferred", "diag": YAHOO_DEFERRED}]}}]
        report, finding = only({"mandrill_events": json.dumps(events)})
        self.assertEqual((finding.action, finding.reply_code), ("delayed", "421"))
        self.assertEqual(spanned(report, finding), YAHOO_DEFERRED)  # no quote in it: escaped twice, it reads the same

    def test_scaleway_deferral_with_code_and_message(self):
        _, finding = only({"id": "e1", "type": "email_deferred", "project_id": "p1", "domain_id": "d1",
                           "email_to": "bob@example.org", "email_response_code": 452,
                           "email_response_message": GMAIL_QUOTA[4:], "email_try_count": 1})
        self.assertEqual((finding.action, finding.reply_code, finding.status), ("delayed", "452", "4.2.2"))
        self.assertEqual(finding.diagnostic, GMAIL_QUOTA[4:])

    def test_sweego_soft_bounce_without_reply_text(self):
        _, finding = only({"event_type": "soft_bounce", "timestamp": "2024-05-01T10:00:00+00:00", "swg_uid": "01-x",
                           "channel": "email", "recipient": "bob@example.org", "response_code": 452, "status": None})
        self.assertEqual((finding.reply_code, finding.hard_bounce, finding.diagnostic), ("452", False, None))
        self.assertIn("gives the reply code 452 but not the text", finding.note)

    def test_unisender_go_callback_nests_events_by_user(self):
        report = read({"auth": "x", "events_by_user": [{"user_id": 1, "project_id": "p", "events": [
            {"event_name": "transactional_email_status", "event_data": {
                "job_id": "j1", "email": "bob@example.org", "status": "hard_bounced", "event_time": "2024-05-01 10:00:00",
                "delivery_info": {"delivery_status": "err_user_unknown", "destination_response": POSTFIX_UNKNOWN}}},
            {"event_name": "transactional_spam_block", "event_data": {"block_type": "one_smtp", "domain": "example.org"}}]}]})
        self.assertEqual([(f.recipient, f.reply_code, f.esp.bounce_type) for f in report.findings],
                         [("bob@example.org", "550", "err_user_unknown")])

    def test_unisender_go_error_delivery_status_is_a_failure_whatever_the_status(self):
        _, finding = only({"event_name": "transactional_email_status", "event_data": {
            "email": "bob@example.org", "status": "sent", "event_time": "2024-05-01 10:00:00",
            "delivery_info": {"delivery_status": "err_spam_rejected", "destination_response": "550 5.7.1 Message rejected as spam"}}})
        self.assertEqual((finding.action, finding.reply_code, finding.esp.bounce_type), ("failed", "550", "err_spam_rejected"))

    def test_ahasend_failure_is_permanent(self):
        _, finding = only({"type": "message.failed", "timestamp": "2024-05-01T10:00:00Z", "data": {
            "account_id": "a1", "event": "on_failed", "from": "a@example.com", "recipient": "bob@example.org", "id": "m1"}})
        self.assertEqual((finding.esp.permanent, finding.action), (True, "failed"))

    def test_azure_cloud_event_with_a_reply_in_its_status_message(self):
        report, finding = only({"id": "e1", "source": "/subscriptions/s/resourceGroups/g", "specversion": "1.0",
                                "type": "Microsoft.Communication.EmailDeliveryReportReceived", "data": {
                                    "sender": "a@example.com", "recipient": "bob@example.org", "messageId": "m1",
                                    "status": "Bounced", "deliveryStatusDetails": {
                                        "statusMessage": POSTFIX_UNKNOWN, "recipientMailServerHostName": "mx.example.org"}}})
        self.assertEqual((report.kind, finding.reply_code, finding.remote_mta), ("esp:azure", "550", "mx.example.org"))


class InputShapeTests(unittest.TestCase):
    SENDGRID = {"email": "bob@example.org", "event": "bounce", "sg_event_id": "e1", "reason": POSTFIX_UNKNOWN, "status": "5.1.1"}

    def test_one_event_per_line_gives_one_finding_per_line_with_spans_in_place(self):
        lines = [dict(self.SENDGRID, email=f"user{n}@example.org") for n in range(3)]
        text = "\n".join(json.dumps(line) for line in lines) + "\n"
        report = parse(text)
        self.assertEqual([f.recipient for f in report.findings], [f"user{n}@example.org" for n in range(3)])
        for finding in report.findings:
            start, end = finding.span
            self.assertEqual(text[start:end], POSTFIX_UNKNOWN)
            self.assertIn(finding.recipient, text[text.rfind("\n", 0, start) + 1:start])

    def test_events_of_different_esps_in_one_paste(self):
        brevo = {"event": "hard_bounce", "email": "carol@example.org", "message-id": "<1@example.com>", "reason": POSTFIX_UNKNOWN}
        report = read([self.SENDGRID, brevo])
        self.assertEqual([f.esp.esp for f in report.findings], ["sendgrid", "brevo"])

    def test_escapes_in_the_reply_map_back_to_the_pasted_characters(self):
        reply = "550 5.1.1 <jos\u00e9@example.org>: unknown \U0001f4ee user"
        text = json.dumps([dict(self.SENDGRID, reason=reply)])  # ensure_ascii: \u00e9 and a surrogate pair
        report = parse(text)
        finding = report.findings[0]
        self.assertEqual(json.loads('"' + text[finding.span[0]:finding.span[1]] + '"'), reply)

    def test_a_repeated_member_is_read_as_json_reads_it_the_last_one(self):
        text = '[{"email": "bob@example.org", "event": "bounce", "sg_event_id": "e1", "reason": "ignored", ' \
               '"reason": "%s"}]' % POSTFIX_UNKNOWN
        report = parse(text)
        self.assertEqual(text[slice(*report.findings[0].span)], POSTFIX_UNKNOWN)

    def test_a_byte_order_mark_and_bytes_are_accepted(self):
        report = parse(("\ufeff" + json.dumps([self.SENDGRID])).encode("utf-8"))
        self.assertEqual(report.kind, "esp:sendgrid")

    def test_text_in_square_brackets_is_no_json(self):
        self.assertFalse(looks_like_json("[CS01] Message rejected due to local policy"))
        self.assertFalse(looks_like_json("[2024-05-01 10:00:00] postfix/smtp: to=<bob@example.org>"))
        self.assertTrue(looks_like_json('\n  [ {"event": "bounce"} ]'))


class BadInputTests(unittest.TestCase):
    def test_json_that_is_no_known_event_names_its_keys(self):
        with self.assertRaisesRegex(BounceError, r"no ESP event .*its keys: colour, id, size"):
            parse('{"id": 1, "size": 2, "colour": "red"}')

    def test_an_unknown_event_among_known_ones_is_named_by_its_place(self):
        with self.assertRaisesRegex(BounceError, r"Event 2 of 2 .*its keys: foo"):
            read([InputShapeTests.SENDGRID, {"foo": 1}])

    def test_broken_json_says_where(self):
        with self.assertRaisesRegex(BounceError, r"does not parse: .* line 2, column"):
            parse('{"event": "bounce",\n "email" "bob@example.org"}')

    def test_a_json_array_of_numbers_holds_no_event(self):
        with self.assertRaisesRegex(BounceError, "holds no event"):
            parse("[[1, 2], [3]]")

    def test_deep_nesting_is_refused_clearly(self):
        with self.assertRaises(BounceError):
            parse("[" * 100000 + "]" * 100000)


if __name__ == "__main__":
    unittest.main()
