"""Batches (kb/bounce/batch.py, summary.py): mbox files of any size, archives, limits that are said."""
import io
import tarfile
import unittest
import zipfile

from kb.bounce import parse
from kb.bounce.batch import BatchLimitError, Limits, mbox_messages, messages, read_all
from kb.bounce.summary import Summary


def bounce(number, reply="550 5.1.1 User unknown"):
    return (f"From: MAILER-DAEMON@mx.example.net\nTo: alice@example.com\nSubject: Undelivered Mail\n\n"
            f"<user{number}@example.org>: host mx.example.org[192.0.2.1] said: {reply}\n")


def mbox(count, **kwargs):
    return "".join(f"From MAILER-DAEMON Thu Apr 29 23:34:45 2010\n{bounce(n, **kwargs)}\n" for n in range(count)).encode()


def zipped(members, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


class MboxTests(unittest.TestCase):
    def test_every_message_of_a_large_mbox_is_read(self):
        self.assertEqual(len(list(mbox_messages(io.BytesIO(mbox(250))))), 250)
        report = parse(mbox(120))
        self.assertEqual(len(report.findings), 120)

    def test_a_from_line_inside_a_paragraph_does_not_start_a_message(self):
        data = b"From a Thu Apr 29 23:34:45 2010\nSubject: x\n\nline one\nFrom here on, text\n\nFrom b Thu Apr 29 23:34:46 2010\n\nbody\n"
        self.assertEqual([m.split(b"\n")[0] for m in mbox_messages(io.BytesIO(data))],
                         [b"From a Thu Apr 29 23:34:45 2010", b"From b Thu Apr 29 23:34:46 2010"])

    def test_crlf_mbox_files_split_too(self):
        self.assertEqual(len(list(mbox_messages(io.BytesIO(mbox(3).replace(b"\n", b"\r\n"))))), 3)

    def test_a_boundary_across_two_chunks_splits_as_within_one(self):
        for data in (mbox(5), mbox(5).replace(b"\n", b"\r\n")):
            whole = list(mbox_messages(io.BytesIO(data)))
            self.assertEqual(len(whole), 5)
            self.assertEqual(b"".join(whole), data)  # nothing lost, nothing repeated
            for chunk_size in (1, 2, 5, 7, 8, 9, 64):
                with self.subTest(chunk_size=chunk_size, crlf=b"\r" in data):
                    self.assertEqual(list(mbox_messages(io.BytesIO(data), chunk_size)), whole)


class UploadTests(unittest.TestCase):
    def test_a_zip_of_eml_files_gives_each_message(self):
        data = zipped({f"b{n}.eml": bounce(n) for n in range(3)})
        batch = messages("bounces.zip", data)
        self.assertEqual([name for name, _ in batch.items], ["bounces.zip/b0.eml", "bounces.zip/b1.eml", "bounces.zip/b2.eml"])

    def test_a_tar_gz_holding_an_mbox_gives_each_message(self):
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w:gz") as archive:
            body = mbox(4)
            info = tarfile.TarInfo("night.mbox")
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
        self.assertEqual(len(messages("b.tar.gz", out.getvalue()).items), 4)

    def test_a_zip_bomb_is_refused_from_its_declared_sizes(self):
        data = zipped({"bomb.eml": b"x" * 5_000_000})
        with self.assertRaisesRegex(BatchLimitError, "refused without unpacking"):
            messages("bomb.zip", data, Limits(max_ratio=100))

    def test_more_bytes_than_the_limit_is_refused_with_the_limit_named(self):
        with self.assertRaisesRegex(BatchLimitError, "more than 1 MB"):
            messages("big.mbox", mbox(3, reply="550 5.1.1 " + "x" * 600_000), Limits(max_bytes=1024 * 1024))

    def test_reaching_the_message_limit_is_said_not_silent(self):
        batch = messages("night.mbox", mbox(12), Limits(max_messages=10))
        self.assertEqual(len(batch.items), 10)
        self.assertEqual(len(batch.notes), 1)
        self.assertIn("first 10 messages", batch.notes[0])

    def test_an_unreadable_message_does_not_stop_the_others(self):
        data = mbox(2) + b"From x Thu Apr 29 23:34:45 2010\nFrom: a@example.com\nSubject: Lunch\n\nNoon?\n"
        result = read_all(messages("m.mbox", data))
        self.assertEqual((len(result.reports), len(result.unreadable)), (2, 1))
        self.assertEqual(result.summary.messages, 3)


class SummaryTests(unittest.TestCase):
    def test_it_counts_recipients_by_reason_advice_domain_provider_and_code(self):
        summary = Summary()
        for data in (bounce(1), bounce(2), bounce(3, reply="452 4.2.2 Mailbox full")):
            summary.add(parse(data))
        self.assertEqual(summary.recipients, 3)
        self.assertEqual(dict(summary.counts["reason"]), {"userunknown": 2, "mailboxfull": 1})
        self.assertEqual(dict(summary.counts["advice"]), {"suppress": 2, "suppress-after-repeats": 1})
        self.assertEqual(dict(summary.counts["domain"]), {"example.org": 3})
        self.assertEqual(dict(summary.counts["code"]), {"550 5.1.1": 2, "452 4.2.2": 1})
        self.assertEqual(summary.rows("reason")[0][:2], ("userunknown", 2))
        self.assertAlmostEqual(summary.rows("reason")[0][2], 2 / 3)

    def test_ungrouped_it_counts_messages_and_recipients_only(self):
        summary = Summary(grouped=False)
        for data in (bounce(1), bounce(2)):
            summary.add(parse(data))
        self.assertEqual((summary.messages, summary.recipients), (2, 2))
        self.assertFalse(any(summary.counts.values()))
