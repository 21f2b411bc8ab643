"""What a visitor's feedback may keep of a server's reply: the words, not the people or machines.

Before a visitor sees what feedback would send, and again when it is sent
(the visitor may have typed something in), these are replaced by
placeholders: email addresses, message IDs, IP addresses (v4 and v6), URLs,
host names and long tokens (queue IDs, hashes, base64). Codes stay (550,
5.7.26), and so do plain words, so that an editor can still tell which
entry the reply belongs to.

Pure Python and linear in the text: every pattern is a run of one character
class, with no nested repetition that could backtrack.
"""

import ipaddress
import re

# The order matters: an address holds a host name, a URL holds both. Placeholders are in
# square brackets, which none of the patterns matches.
_PATTERNS = [
    # RFC 5322 §3.6.4 msg-id, after the header's name: "Message-ID: <…>", "message-id=<…>".
    ("Message-ID: [message-id]", re.compile(r"\bmessage-?id\b[:=]?[ \t]*<?[^\s<>]{1,998}>?", re.IGNORECASE)),
    ("[email]", re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]{1,256}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,20}")),
    ("[url]", re.compile(r"\b(?:https?|ftp)://[^\s<>\"']{1,2000}", re.IGNORECASE)),
    # Candidates only: ipaddress decides (12:34:56 is a time, 5.7.26 a status code).
    ("[ip]", re.compile(r"(?<![\w:.])[0-9a-f:.]{7,45}(?![\w:.])", re.IGNORECASE)),
    # A name with a dot and letters in its last label (mx.example.com, example.org), not 5.7.26.
    ("[host]", re.compile(r"(?<![\w.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,20}[a-z][a-z0-9-]{1,62}(?![\w-])", re.IGNORECASE)),
    # Queue IDs, hashes, base64 and session IDs: 12 or more letters, digits and -_+/=. with both a digit and a letter.
    ("[token]", re.compile(
        r"(?<![\w+/=.-])(?=[\w+/=.-]{0,200}\d)(?=[\w+/=.-]{0,200}[a-z])[\w+/=-][\w+/=.-]{10,}[\w+/=-](?![\w+/=-])",
        re.IGNORECASE,
    )),
]
# Short words a host pattern would take for names (e.g. "i.e"): kept.
_NOT_HOSTS = {"e.g", "i.e"}
MAX_LENGTH = 2000


def redact(text):
    """text with addresses, IDs, IPs, URLs, hosts and long tokens replaced by placeholders, at most MAX_LENGTH long."""
    text = (text or "")[: MAX_LENGTH * 2]
    for placeholder, pattern in _PATTERNS:
        text = pattern.sub(lambda match, p=placeholder: _replacement(match.group(), p), text)
    return text[:MAX_LENGTH].strip()


def _replacement(found, placeholder):
    if placeholder == "[ip]":
        return placeholder if _is_ip(found.strip(".")) else found
    return found if found.lower() in _NOT_HOSTS else placeholder


def _is_ip(text):
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
