from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import SimpleTestCase, TestCase

from kb import codes
from kb.models import Cause, Code, validate_code
from tests.helpers import make_code


class CodeSyntaxTests(SimpleTestCase):
    def test_it_accepts_basic_and_enhanced_codes(self):
        for code in ["550", "250", "421", "5.1.1", "4.4.7", "2.0.0", "5.7.26", "5.7.509", "5.1.10"]:
            with self.subTest(code=code):
                validate_code(code)

    def test_it_rejects_malformed_codes(self):
        for code in ["", "55", "5500", "650", "055", "3.1.1", "5.1", "5.1.1.1", "5.01.1", "5.1.1000", "5-1-1", " 550", "abc"]:
            with self.subTest(code=code), self.assertRaises(ValidationError) as caught:
                validate_code(code)
            self.assertEqual(caught.exception.code, "malformed_code")

    def test_class_and_severity_follow_the_first_digit(self):
        self.assertEqual(codes.severity_of("250"), "success")
        self.assertEqual(codes.severity_of("354"), "intermediate")
        self.assertEqual(codes.severity_of("441"), "transient")
        self.assertEqual(codes.severity_of("4.2.2"), "transient")
        self.assertEqual(codes.severity_of("5.2.2"), "permanent")
        self.assertIsNone(codes.severity_of("111"))

    def test_hard_bounce_follows_the_class(self):
        self.assertIs(codes.hard_bounce_of("550"), True)
        self.assertIs(codes.hard_bounce_of("4.4.1"), False)
        self.assertIsNone(codes.hard_bounce_of("250"))

    def test_canonical_drops_stray_zeros_and_spaces(self):
        self.assertEqual(codes.canonical(" 5.07.026 "), "5.7.26")
        self.assertEqual(codes.canonical("550"), "550")
        for text in ("5.7", "5.1234.1", "6.1.1", "abc", "5726"):
            self.assertIsNone(codes.canonical(text), text)

    def test_codes_sort_numerically_within_their_class(self):
        ordered = sorted(["5.1.10", "550", "5.1.2", "421", "5.1.1", "4.2.2", "554"], key=codes.sort_key)
        self.assertEqual(ordered, ["421", "4.2.2", "550", "554", "5.1.1", "5.1.2", "5.1.10"])

    def test_describe_explains_class_and_subject(self):
        self.assertIn("Permanent", codes.describe("5.9.9")["class"])
        self.assertIn("does not define", codes.describe("5.9.9")["subject"])
        self.assertIn("Mailbox", codes.describe("4.2.9")["subject"])
        self.assertIn("Transient", codes.describe("499")["class"])


class CodeModelTests(TestCase):
    def test_an_entry_derives_kind_class_and_severity_from_its_code(self):
        entry = make_code("5.2.2")
        self.assertEqual((entry.kind, entry.code_class, entry.severity), ("enhanced", "5", "permanent"))
        entry = make_code("452")
        self.assertEqual((entry.kind, entry.code_class, entry.severity), ("basic", "4", "transient"))

    def test_the_database_refuses_a_1xx_code_unless_it_is_folklore(self):
        make_code("101", standing=Code.Standing.FOLKLORE)
        with self.assertRaises(IntegrityError):
            make_code("111", standing=Code.Standing.RFC)

    def test_full_clean_rejects_a_malformed_code(self):
        entry = Code(code="5.7", title="x", summary="x", standing=Code.Standing.RFC)
        with self.assertRaises(ValidationError) as caught:
            entry.full_clean()
        self.assertIn("code", caught.exception.message_dict)

    def test_causes_keep_their_order(self):
        entry = make_code("550")
        Cause.objects.create(code=entry, position=2, text="second")
        Cause.objects.create(code=entry, position=1, text="first")
        self.assertEqual([c.text for c in entry.causes.all()], ["first", "second"])

    def test_two_causes_cannot_share_a_position(self):
        entry = make_code("550")
        Cause.objects.create(code=entry, position=1, text="one")
        with self.assertRaises(IntegrityError):
            Cause.objects.create(code=entry, position=1, text="again")

    def test_related_codes_are_reachable_from_both_ends(self):
        basic, enhanced = make_code("550"), make_code("5.1.1")
        basic.related.add(enhanced)
        self.assertEqual(list(enhanced.related_from.all()), [basic])

    def test_natural_keys_round_trip(self):
        entry = make_code("5.1.1")
        cause = Cause.objects.create(code=entry, position=1, text="x")
        self.assertEqual(Code.objects.get_by_natural_key(*entry.natural_key()), entry)
        self.assertEqual(Cause.objects.get_by_natural_key(*cause.natural_key()), cause)

    def test_unpublished_entries_are_not_published(self):
        make_code("550")
        make_code("551", published=False)
        self.assertEqual([c.code for c in Code.objects.published()], ["550"])
