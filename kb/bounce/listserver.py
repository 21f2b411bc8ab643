"""A mailing-list manager's refusal of a post: the list itself did not take the message.

List servers answer a post they refuse with a notice of their own, from the list's admin or
owner address and with the list's header fields (fml: `X-MLServer`, `X-ML-Name`; RFC 2369's
`List-*`; RFC 2919's `List-Id`), whose sentence names the list address: fml's `You are not a
member of this mailing list <list@example.org>.` or `Duplicated Message-ID in
<list@example.org>.`. The list address is the recipient that failed; the sentence is the reason.
"""
import re

from .addresses import clean
from .findings import Finding

_LIST_FIELDS = ("x-mlserver", "x-ml-name", "list-id", "list-post", "list-subscribe", "mailing-list")
# The list's own addresses that send its notices (fml's list-admin, owner-list, list-request).
_LIST_SENDER = re.compile(r"[-.](?:admin|owner|request)@|\bowner-[^@\s]+@", re.I)
# What a list says when it refuses a post (fml 4's messages, as Sisimai's Lhost::FML lists them).
_REFUSAL = re.compile(
    r"not (?:a )?member|\breject(?:ed)?\b|duplicated message-id|loop (?:alert|back|condition)|"
    r"mail loop|spam mail from a spammer", re.I)
_ADDRESS_IN_SENTENCE = re.compile(r"<([^<>\s@]{1,64}@[^<>\s@]{1,255})>")
_HEAD_LINES = 12  # the refusal is the notice's first sentence or two
_HEAD_CHARS = 4096


def refusals(message, texts):
    """The list address a list server's notice says refused the post, as a Finding; [] if none."""
    headers = message.headers
    if not any(name in headers for name in _LIST_FIELDS) or not _LIST_SENDER.search(headers.get("from", "")):
        return []
    for text in texts:
        for line in text.lstrip()[:_HEAD_CHARS].splitlines()[:_HEAD_LINES]:
            address = _ADDRESS_IN_SENTENCE.search(line)
            if address and _REFUSAL.search(line):
                return [Finding(recipient=clean(address.group(1)), action="failed", reply_code=None,
                                status=None, diagnostic=" ".join(line.split()))]
    return []
