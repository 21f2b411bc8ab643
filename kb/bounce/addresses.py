"""Mail addresses in free text (RFC 5321 §4.1.2 Mailbox, loosely: bounces quote them loosely)."""
import re

# RFC 5322 atext and dots, plus the non-ASCII characters of RFC 6531 (SMTPUTF8) except
# white space and CJK and full-width punctuation, which stand next to addresses in text.
# Written as what is excluded: a negated class compiles in well under a millisecond, where
# the same set spelled out as Unicode ranges costs ~15 ms per pattern at import.
ADDRESS_CHARS = r"[^\x00-\x20\x7f\"(),:;<>@\[\\\]\s\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]"
# The lookbehind lets each run of address characters start a match only once: linear time.
# The domain is matched possessively: a match never ends inside a longer domain.
ADDRESS = re.compile(r"(?<!" + ADDRESS_CHARS + r")" + ADDRESS_CHARS + r"{1,64}@[\w-][\w.-]{0,252}+")


# Exchange 5.5 writes a recipient as its proxy address, `SMTP=user@example.org;`.
_PROXY_TYPE = re.compile(r"(?:smtp|rfc-?822)=", re.I)


def clean(address):
    """Lowercase, without the full stop that ends a sentence, quotes around it or an Exchange proxy type."""
    address = address.lower().strip("'").rstrip(".-")  # `addressed to 'user@example.org'`
    return address[_PROXY_TYPE.match(address).end():] if "=" in address and _PROXY_TYPE.match(address) else address
