"""A reason per finding (kb/bounce/reasons.py): one of Sisimai 4.25's names, from words and codes."""
import json
import unittest

from kb.bounce import parse
from kb.bounce import reasons
from kb.bounce.reasons import REASONS, reason_of
from tests.test_bounce_support import CORPUS, sample


class ReasonVocabularyTests(unittest.TestCase):
    def test_every_finding_of_the_corpus_gets_a_name_of_the_vocabulary(self):
        for path in sorted((CORPUS / "emails").iterdir()):
            try:
                report = parse(path.read_bytes())
            except ValueError:
                continue
            for finding in report.findings:
                self.assertIn(finding.reason, REASONS, path.name)

    def test_the_vocabulary_holds_every_reason_sisimai_gave_on_the_corpus(self):
        lines = (CORPUS / "expected.jsonl").read_text(encoding="utf-8").splitlines()
        given = {json.loads(line)["reason"] for line in lines}
        self.assertEqual(given - {None} - set(REASONS), set())


class WordsAndCodesTests(unittest.TestCase):
    def test_a_5xx_reputation_block_is_blocked_not_a_missing_user(self):
        self.assertEqual(reason_of("5.7.1", "550", "550 5.7.1 Service unavailable; client [192.0.2.1] "
                                                   "blocked using zen.spamhaus.org"), "blocked")

    def test_a_4xx_user_unknown_is_userunknown(self):
        self.assertEqual(reason_of("4.1.1", "450", "450 4.1.1 <a@example.org>: Recipient address rejected: "
                                                   "User unknown in local recipient table"), "userunknown")

    def test_words_win_over_a_generic_status(self):
        self.assertEqual(reason_of("5.0.0", "552", "552 5.0.0 Mailbox full, quota exceeded"), "mailboxfull")

    def test_replies_seen_in_older_bounces_name_their_cause(self):
        # Reply texts as servers sent them in the bounces of Mail::DeliveryStatus::BounceParser's
        # test corpus (t/corpus/), with example addresses.
        replies = {
            "553 sorry, badrcptto(user mail-box not found) (#5.7.1)": "userunknown",
            "550 ** No mail box available for this user **": "userunknown",
            "550 User [bob@example.org] does not exist": "userunknown",
            "554 Rcpt <bob@example.org> does not exist": "userunknown",
            "550 BAD_RECIPIENT - see http://mail.example.org/undelivered": "userunknown",
            "550 bob@example.org is not an active address at this host": "userunknown",
            "553 you are trying to use me [mx.example.org] as a relay, but I have not been configured to let you":
                "norelaying",
            "553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)": "norelaying",
            "452 <bob@example.org> Mailbox size limit exceeded": "mailboxfull",
            "550 <bob@example.org> Benutzer hat zuviele Mails auf dem Server. / User has too many messages on the server.":
                "mailboxfull",
            "The recipient mailbox has exceeded its disk space limit.": "mailboxfull",
            "User mailbox exceeds allowed size: bob@example.org": "mailboxfull",
            "550 RCPT TO:<bob@example.org> max message size exceeded": "mesgtoobig",
            "550 Spamming not allowed": "spamdetected",
            "no valid MX hosts found": "hostunknown",
            "450 User is receiving mail too quickly (in reply to RCPT TO command)": "toomanyconn",
            "550 2f1c655f95f5cae-a1f55 User not found:bob@example.org (in reply to RCPT TO command)": "userunknown",
            "550 Message refused by MailMarshal SpamProfiler": "spamdetected",
        }
        self.assert_reasons(replies)

    def test_notices_of_sisimais_other_samples_name_their_cause(self):
        # Words of qmail's and IMail's own notices, as in Sisimai's lhost-qmail-10 and lhost-imailserver-04.
        self.assert_reasons({
            "Sorry, I couldn't find any host by that name.": "hostunknown",
            "Sorry, I couldn't find any host named example.org. (#5.1.2)": "hostunknown",
            "Delivery failed 20 attempts: bob@example.org": "expired",
            # A sending host refused for being no ISP's mail server (lhost-exim-04, lhost-ezweb-08).
            "550 5.7.0 <bob@example.org>... Please use the smtp server of your ISP.": "blocked",
            "550 SC-004 (COL0-MC1-F1) Unfortunately, messages from 192.0.2.1 weren't sent.": "blocked",
            # RFC 5248's X.7.13 "User Account Disabled", said of a recipient (lhost-sendmail-35).
            "525 5.7.13 <bob@example.org>: Recipient address rejected: Disabled recipient address": "suspend",
            "connect to mx.example.org[192.0.2.2]:25: No route to host": "networkerror",  # rfc3464-34
            # Microsoft's documented 4.7.650 and Directory-Based Edge Blocking 5.4.1 (lhost-mfilter-04).
            "451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation.": "blocked",
            "550 5.4.1 All recipient addresses rejected : Access denied": "userunknown",
            "550 5.7.1 message content rejected": "spamdetected",  # lhost-sendmail-38
        })

    def assert_reasons(self, table):
        """Each {text of a failed recipient's notice: its reason}, the text alone deciding."""
        for text, reason in table.items():
            with self.subTest(text=text):
                self.assertEqual(reason_of(None, None, text, "failed"), reason)

    def test_microsofts_resolver_codes_name_their_cause(self):
        # Microsoft 365's documented 5.4.310 and 5.7.129 replies.
        self.assertEqual(reason_of("5.4.310", "550", "550 5.4.310 DNS domain example.org does not exist "
                                                     "[Message=InfoDomainNonexistent]"), "hostunknown")
        self.assertEqual(reason_of("5.7.129", "550", "550 5.7.129 RESOLVER.RST.RestrictedToRecipientsPermission; not "
                                                     "authorized to send to recipient because the sender isn't on the "
                                                     "recipient's list of senders to accept mail from"), "filtered")

    def test_microsofts_authentication_level_refusal_is_a_security_error(self):
        # Microsoft's documented 5.7.515 wording: the domain failed SPF, DKIM and DMARC.
        self.assertEqual(reason_of("5.7.515", "550", "550 5.7.515 Access denied, sending domain example.org doesn't "
                                                     "meet the required authentication level."), "securityerror")

    def test_a_mailbox_over_its_allowed_quota_is_full(self):
        # qmail-ldap's words for a mailbox over quota, with no code at all.
        self.assertEqual(reason_of(None, None, "The users mailfolder is over the allowed quota (size).", "failed"),
                         "mailboxfull")

    def test_a_specific_status_decides_when_the_words_name_nothing(self):
        self.assertEqual(reason_of("5.1.2", "550", "550 5.1.2 Requested action not taken"), "hostunknown")
        self.assertEqual(reason_of("5.3.4", "552", "552 5.3.4 Error"), "mesgtoobig")

    def test_the_mailbox_size_limit_status_is_more_exact_than_the_words(self):
        # RFC 3463 X.2.3: the per-mailbox message length limit.
        self.assertEqual(reason_of("5.2.3", "552", "552 5.2.3 Message size exceeds fixed maximum message size"),
                         "exceedlimit")

    def test_an_address_in_the_reply_is_no_word_of_it(self):
        self.assertEqual(reason_of("5.1.1", "550", "550 5.1.1 <filtered@example.org>... User Unknown", command="RCPT"),
                         "userunknown")

    def test_an_unknown_address_in_reply_to_mail_from_is_the_senders(self):
        self.assertEqual(reason_of("5.1.7", "550", "550 5.1.7 No such domain example.com", command="MAIL"), "rejected")

    def test_user_unknown_after_data_is_the_mailboxs_filter(self):
        self.assertEqual(reason_of("5.0.0", "550", "550 Unknown user kijitora@example.jp", command="DATA"), "filtered")

    def test_a_dns_failure_for_now_is_a_network_error(self):
        self.assertEqual(reason_of(None, None, "Name service error for domain example.com: Host not found, try again",
                                   action="failed"), "networkerror")
        self.assertEqual(reason_of(None, None, "Host or domain name not found", action="failed"), "hostunknown")

    def test_a_host_that_never_answered_until_the_queue_ran_out_is_expired(self):
        self.assertEqual(reason_of("4.4.1", None, "connect to mx.example.org[192.0.2.1]:25: Connection timed out",
                                   action="failed"), "expired")

    def test_a_refusal_of_the_greeting_is_of_the_sending_host(self):
        self.assertEqual(reason_of("4.0.0", "421", "421 Service not available, closing transmission channel",
                                   command="CONN"), "blocked")

    def test_spam_words_are_spamdetected_and_relay_words_norelaying(self):
        self.assertEqual(reason_of("5.7.1", "550", "550 5.7.1 Message content rejected, UBE"), "spamdetected")
        self.assertEqual(reason_of("5.7.1", "554", "554 5.7.1 <a@example.org>: Relay access denied"), "norelaying")

    def test_a_delivery_is_delivered_and_nothing_at_all_is_undefined(self):
        self.assertEqual(reason_of("2.0.0", "250", "250 OK", action="delivered"), "delivered")
        self.assertEqual(reason_of(None, None, None), "undefined")
        self.assertEqual(reason_of(None, None, "", action="failed"), "onhold")

    def test_a_sending_limit_per_hour_is_a_rate_limit_whatever_the_status(self):
        self.assertEqual(reason_of("5.1.1", "550", "550 5.1.1 <a@example.com> - 203.0.113.222 has sent to too many "
                                                   "recipients this hour. IB607"), "toomanyconn")

    def test_a_refusal_for_the_recipients_preferences_is_filtered(self):
        self.assertEqual(reason_of("5.1.1", "550", "550 5.1.1 RCP-P2 Refused due to recipient preferences"), "filtered")

    def test_a_server_not_configured_to_relay_refuses_relaying(self):
        self.assertEqual(reason_of("5.7.1", "501", "501 RCPT TO not accepted: 5.7.1 This system is not configured "
                                                   "to relay mail"), "norelaying")

    def test_a_providers_boilerplate_about_spam_is_no_spam_verdict(self):
        # Gmail closes SPF, DKIM and header refusals alike with "To best protect our users from spam".
        self.assertEqual(reason_of("5.7.26", "550", "550 5.7.26 The MAIL FROM domain [mail.example.com] has an SPF "
                                   "record with a hard fail policy (-all) but it fails to pass SPF checks. To best "
                                   "protect our users from spam, the message has been blocked."), "blocked")
        self.assertEqual(reason_of("5.7.1", "550", "550 5.7.1 This message is likely suspicious due to the very low "
                                   "reputation of the sending IP address. To best protect our users from spam, the "
                                   "message has been blocked."), "blocked")
        self.assertEqual(reason_of("5.7.1", "550", "550 5.7.1 Message classified as spam"), "spamdetected")

    def test_try_again_as_advice_to_a_person_is_no_dns_failure_for_now(self):
        self.assertEqual(reason_of("5.5.0", "554", "554 The mail could not be delivered to the recipient because the "
                                   "domain is not reachable. Please check the domain and try again"), "hostunknown")

    def test_a_local_error_in_processing_is_a_system_error(self):
        # RFC 5321 §4.2.3: 451 Requested action aborted: local error in processing.
        self.assertEqual(reason_of("4.0.0", "451", "451 Could not load DRD for domain (example.com)"), "systemerror")

    def test_user_unknown_words_under_a_policy_status_are_a_filter_except_at_rcpt(self):
        # RFC 3463 X.7.1 "delivery not authorized": the status says a policy refused the message.
        self.assertEqual(reason_of("5.7.1", "550", "550 5.7.1 550 User Unknown: a@example.org"), "filtered")
        self.assertEqual(reason_of("5.7.1", "553", "553 Invalid recipient a@example.org", command="RCPT"),
                         "userunknown")

    def test_not_listed_in_a_directory_is_an_unknown_user_not_a_blocklist(self):
        self.assertEqual(reason_of(None, None, "User some.name (a@example.jp) not listed in Domino Directory",
                                   action="failed"), "userunknown")
        self.assertEqual(reason_of("5.7.1", "554", "554 Client host blocked, listed at zen.spamhaus.org"), "blocked")

    def test_a_local_programs_diagnostic_is_a_mailer_error(self):
        # RFC 3464 §2.3.6: sendmail and Postfix type a local program's report "X-Unix".
        self.assertEqual(reason_of("5.0.0", None, "127", action="failed", diagnostic_type="x-unix"), "mailererror")
        self.assertEqual(reason_of("4.3.0", None, "temporary failure", action="failed", diagnostic_type="x-unix"),
                         "mailererror")
        self.assertEqual(reason_of("4.3.0", None, "temporary failure", action="failed"), "onhold")

    def test_no_permission_to_post_to_a_group_is_the_sender_refused(self):
        self.assertEqual(reason_of(None, None, "the group you tried to contact (g) may not exist, or you may not have "
                                   "permission to post messages to the group.", action="failed"), "rejected")

    def test_a_huge_diagnostic_is_read_in_its_first_lines_only(self):
        self.assertEqual(reason_of(None, "550", "550 user unknown " + "x " * 500_000, command="RCPT"), "userunknown")


class SisimaiIsWrongTests(unittest.TestCase):
    """Where we disagree with Sisimai 4.25 and the mail shows that it is wrong."""

    def _reason(self, name):
        (finding,) = parse(sample(name)).findings
        return finding

    def test_a_sender_domain_on_spamhaus_is_a_block_not_an_unknown_user(self):
        # Sisimai: userunknown (from the 5.1.0 status), although the reply is about the sender's domain.
        finding = self._reason("maildir__bsd__lhost-postfix-80.eml")
        self.assertIn("MailFrom domain is listed in Spamhaus", finding.diagnostic)
        self.assertEqual(finding.reason, "blocked")

    def test_a_pipelined_rcpt_reply_after_data_is_an_unknown_user(self):
        # Sisimai: filtered, reading ">>> DATA" as the command. sendmail pipelines (RFC 2920): the
        # transcript goes ">>> DATA" / "<<< 550 5.0.0 <...>... User unknown" / "<<< 503 5.0.0 Need RCPT
        # (recipient)"; the last reply is DATA's own, the 550 answered RCPT TO.
        finding = self._reason("maildir__bsd__lhost-sendmail-27.eml")
        self.assertEqual((finding.command, finding.reason), ("RCPT", "userunknown"))

    def test_dmarc_refusal_is_a_policy_violation(self):
        # Sisimai: blocked. The reply: "Unauthenticated email from libsisimai.org is not accepted due
        # to domain's DMARC policy": the sender domain's published policy (RFC 7489), not our host.
        finding = self._reason("maildir__bsd__lhost-postfix-70.eml")
        self.assertIn("DMARC policy", finding.diagnostic)
        self.assertEqual(finding.reason, "policyviolation")

    def test_user_unknown_in_the_local_recipient_table_is_an_unknown_user(self):
        # Sisimai: filtered, because it reads any "user unknown" outside RCPT TO as a filter; Postfix
        # says this only when the address is in none of its recipient tables.
        finding = self._reason("maildir__bsd__lhost-activehunter-02.eml")
        self.assertIn("User unknown in local recipient table", finding.diagnostic)
        self.assertEqual(finding.reason, "userunknown")




class ProviderTagTests(unittest.TestCase):
    """What a provider documents for its own tags and replies decides (Orange, La Poste, Mimecast)."""

    def test_the_same_service_refused_words_get_the_reason_of_their_tag(self):
        # Replies from tests/data/sisimai (rhost-franceptt-07, -08): the words are alike, the tags differ.
        refused = "Service refuse. Veuillez essayer plus tard. Service refused, please try later."
        self.assertEqual(reason_of("4.0.0", "421", f"421 mwinf5c77 ME {refused} OFR_999 [999]"), "blocked")
        self.assertEqual(reason_of("4.2.0", "421", f"421 4.2.0 {refused} OFR005_505 [505]"), "systemerror")

    def test_a_la_poste_tag_decides_over_generic_words(self):
        # rhost-franceptt-05: "bloque" (blocked) is said of the recipient's account, tag 426.
        self.assertEqual(reason_of("5.5.0", "550", "550 5.5.0 Le compte du destinataire est bloque. The recipient "
                                   "account isblocked. LPN007_426"), "suspend")

    def test_a_tag_documented_only_as_try_later_leaves_the_reason_to_the_words(self):
        self.assertEqual(reason_of("5.5.0", "550", "550 5.5.0 Service refuse. Veuillez essayer plus tard. service "
                                   "refused, please try later. LPN001_108 mailbox full"), "mailboxfull")

    def test_a_tag_needs_its_digits_and_a_word_boundary(self):
        self.assertEqual(reason_of("5.1.1", "550", "550 5.1.1 user unknown ref OFR_9990"), "userunknown")

    def test_mimecasts_host_network_refusal_is_its_geographical_policy(self):
        # rhost-mimecast-01; Mimecast documents this 554 as its Geographical Restriction policy.
        self.assertEqual(reason_of("5.0.0", "554", "554 Host network not allowed - https://community.mimecast.com/docs/"
                                   "DOC-1369#554 [z7qZw5BPd1zlDYHka4589ru.us222]"), "policyviolation")


class RememberedTests(unittest.TestCase):
    REPLY = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown in local recipient table"

    def test_a_batch_reads_each_wording_once_and_keeps_nothing_after_it(self):
        with reasons.remembered():
            self.assertEqual(reason_of("5.1.1", "550", self.REPLY, "failed"), "userunknown")
            # The same words for another address: one memo entry, the same reason.
            self.assertEqual(reason_of("5.1.1", "550", self.REPLY.replace("bob", "carol"), "failed"), "userunknown")
            self.assertEqual(len(reasons._MEMO.get()), 1)
        self.assertIsNone(reasons._MEMO.get())  # no process keeps what a visitor pasted

    def test_the_codes_and_the_command_are_part_of_the_wording(self):
        words = "550 5.1.1 User unknown"
        with reasons.remembered():
            self.assertEqual(reason_of("5.1.1", "550", words, "failed", "MAIL"), "rejected")
            self.assertEqual(reason_of("5.1.1", "550", words, "failed", "RCPT"), "userunknown")

    def test_the_memo_is_bounded(self):
        with reasons.remembered():
            for n in range(reasons.MAX_REMEMBERED + 5):
                reason_of(None, "550", f"550 error number {n}", "failed")
            self.assertLessEqual(len(reasons._MEMO.get()), reasons.MAX_REMEMBERED)
