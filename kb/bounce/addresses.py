"""Mail addresses in free text (RFC 5321 §4.1.2 Mailbox, loosely: bounces quote them loosely)."""
import re

ADDRESS_CHARS = r"[\w.!#$%&'*+/=?^`{|}~-]"
# The lookbehind lets each run of address characters start a match only once: linear time.
ADDRESS = re.compile(r"(?<!" + ADDRESS_CHARS + r")" + ADDRESS_CHARS + r"{1,64}@[\w-][\w.-]{0,252}")


def clean(address):
    """Lowercase, without the full stop that ends a sentence."""
    return address.lower().rstrip(".-")
