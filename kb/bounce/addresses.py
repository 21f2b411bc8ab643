"""Mail addresses in free text (RFC 5321 §4.1.2 Mailbox, loosely: bounces quote them loosely)."""
import re

# RFC 5322 atext and dots, plus the non-ASCII characters of RFC 6531 (SMTPUTF8) except
# white space and CJK and full-width punctuation, which stand next to addresses in text.
ADDRESS_CHARS = r"[\w.!#$%&'*+/=?^`{|}~\u0080-\u2fff\u3040-\uff00\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\U0010ffff-]"
# The lookbehind lets each run of address characters start a match only once: linear time.
# The domain is matched possessively: a match never ends inside a longer domain.
ADDRESS = re.compile(r"(?<!" + ADDRESS_CHARS + r")" + ADDRESS_CHARS + r"{1,64}@[\w-][\w.-]{0,252}+")


def clean(address):
    """Lowercase, without the full stop that ends a sentence."""
    return address.lower().rstrip(".-")
