"""Why a recipient bounced, as one word of a fixed vocabulary: the reason names of Sisimai 4.25.

Sisimai is the bounce library many users already run; using its names lets them compare our
results with theirs row by row. The reason is read from the reply text and the codes together:
the words a server chose ("user unknown", "listed at Spamhaus") say more than a generic 5.7.1 or
a bare 550, so a phrase decides first; a specific enhanced status (RFC 3463) decides when no phrase
does, and the basic reply code (RFC 5321 §4.2.3) last. Pure Python, no Django.
"""
import contextlib
import contextvars
import re

from . import wordings
from .lines import compiled

# The vocabulary, each name with what it means. The order is the order of the documentation.
REASONS = {
    "userunknown": "The recipient's mailbox does not exist at that domain.",
    "hostunknown": "The recipient's domain does not exist or has no mail server.",
    "hasmoved": "The mailbox has moved and the server does not forward to its new address.",
    "mailboxfull": "The recipient's mailbox is over its quota.",
    "suspend": "The recipient's mailbox exists but is disabled, suspended or inactive.",
    "filtered": "The recipient's own settings or a filter at the mailbox refused the message.",
    "exceedlimit": "The message exceeds a limit of the recipient's mailbox (its size limit).",
    "mesgtoobig": "The message is larger than the receiving system accepts.",
    "blocked": "The receiving server refused the sending server: its IP address, reputation, "
               "a blocklist, or its reverse DNS.",
    "spamdetected": "The receiving server judged the message to be spam.",
    "virusdetected": "The receiving server found a virus or a dangerous attachment in the message.",
    "policyviolation": "The message breaks a policy of the receiving side (DMARC, a closed list, "
                       "a content or sending policy).",
    "contenterror": "The message's format or content is invalid (headers, MIME, encoding).",
    "securityerror": "Authentication or encryption failed: SPF, DKIM, SMTP AUTH or TLS.",
    "rejected": "The sender's address was refused (the envelope sender or its domain).",
    "norelaying": "The server refused to relay: it is no destination for that domain.",
    "notaccept": "The destination does not accept mail at all (a null MX, or no SMTP service).",
    "syntaxerror": "The sending server sent a command the receiving server could not parse.",
    "toomanyconn": "Too many connections or messages in a short time: a rate limit.",
    "networkerror": "The servers could not talk: a DNS failure, a timeout, a refused connection, "
                    "a routing loop.",
    "systemerror": "The receiving system failed or is misconfigured.",
    "systemfull": "The receiving system is out of disk space or otherwise full.",
    "mailererror": "The local delivery program failed (a pipe or a filter program exited with an error).",
    "expired": "The sending server gave up after retrying for its whole queue lifetime.",
    "onhold": "The bounce does not say enough to decide, although the delivery failed.",
    "undefined": "A failure whose cause the bounce does not state.",
    "delivered": "The message was delivered (a success notice, not a bounce).",
    "feedback": "A complaint (feedback loop report), not a bounce.",
    "vacation": "An automatic reply such as an out-of-office notice, not a bounce.",
}

# Phrases real servers use, by reason, tried in this order: the first reason with a phrase in the
# diagnostic wins. More specific readings come first: a quota message that also says
# "rejected" is mailboxfull; "spam" beside "blocked" is spamdetected; "relay" before "user unknown"
# ("unknown user; relaying denied" is a relay refusal).
_PHRASES = [
    ("virusdetected", r"virus|malware|infected|dangerous attachment|banned attachment"),
    # A mailbox over its size or message-count quota, in words the rate and size phrases below
    # would take for theirs (Postfix's local mailbox_size_limit; WEB.DE's message count).
    ("mailboxfull", r"mailbox size limit exceeded|too many (?:messages|mails|e-?mails) on the server|zu ?viele mails"),
    # A rate limit set for the sending host's reputation is a block of that host (Microsoft's 4.7.650).
    ("blocked", r"limited (?:due to|because of) (?:the |its |your )?(?:ip |sender |sending )?reputation"),
    ("toomanyconn", r"too many (?:connections|concurrent|sessions|simultaneous)|connection rate|rate limit|"
                    r"frequency limit|receiving mail at a rate|too many (?:messages|emails|mails|recipients)|sending rate|"
                    r"throttl|too fast|too quickly|exceeded (?:the )?(?:rate|maximum number of)|(?:hourly|daily) (?:sending )?limit"),
    ("mesgtoobig", r"message (?:is )?too (?:big|large)|message size exceeds|size exceeds|exceeds (?:the )?"
                   r"(?:maximum|max) (?:message )?size|message (?:length|size) exceeds|mail size limit|"
                   r"message file too big|too much mail data|size limit exceeded|message size exceeded"),
    ("mailboxfull", r"mailbox (?:is )?full|(?:over|exceed(?:ed|s)?|reached|over the) (?:its |his |her |the )?"
                    r"(?:allowed |disk |storage |mailbox |email )?quota|quota (?:exceeded|full|violation)|"
                    r"insufficient (?:disk )?(?:space|storage)|mailbox (?:size|storage) limit|"
                    r"not enough (?:storage|space)|mail ?box (?:is )?over|is over quota|exceeded storage|"
                    r"out of (?:mailbox |storage )?(?:space|storage)|user is over|mailfolder is full|inbox is full|"
                    r"too many messages in (?:the|this) mailbox|mailbox exceeded|full mailbox|"
                    r"exceeded (?:its |the )?(?:allowed )?(?:disk space|storage space|storage|space) limit|"
                    r"mailbox exceeds (?:the |its )?(?:allowed|maximum) size"),
    ("norelaying", r"relay(?:ing)? (?:access )?(?:denied|not (?:permitted|allowed))|not (?:permitted|allowed) to relay|"
                   r"unable to relay|we do not relay|no relaying|relay not permitted|relaying mail to .{0,80} is not allowed|"
                   r"can ?not relay|not a gateway|insecure mail relay|not configured to relay|"
                   r"(?:use|using) me .{0,80}as a relay|allowed rcpthosts"),
    # The sending host's reputation named as the cause, even where the reply adds that its
    # verdict protects users from spam (Gmail: "the very low reputation of the sending IP address").
    ("blocked", r"reputation of the sending|(?:ip|sender|sending) reputation|low reputation"),
    ("spamdetected", r"\bspam\b|spamming|message content rejected|spam ?signature|spam ?profiler|junk mail|bulk mail|unsolicited|\bube\b|\buce\b|content filter|uribl|surbl|"
                     r"blacklisted (?:url|link|domain in)|"
                     r"looks like spam|scored as|message (?:was |has been )?(?:classified|identified) as"),
    # Microsoft's 5.7.515 ("Access denied, sending domain ... doesn't meet the required
    # authentication level"): SPF, DKIM and DMARC failed, whatever "access denied" says.
    ("securityerror", r"required authentication level"),
    ("blocked", r"black ?list|block ?list|blocked (?:using|by)|spamhaus|spamcop|barracuda|sorbs|\brbl\b|\bdnsbl\b|"
                r"(?<!not )listed (?:at|on|in|by)|reputation|client host (?:\[[^\]]{0,60}\] )?(?:is )?(?:rejected|blocked)|"
                r"reverse (?:dns|lookup)|\bptr\b|rdns|no (?:dns|ptr) (?:record|entry)|hostname .{0,40}does not resolve|"
                r"ip (?:address )?(?:is )?(?:blocked|blacklisted|banned|listed|not allowed)|"
                r"connection (?:refused|rejected) (?:by|from)|open relay|user complaints|"
                r"\b(?:invalid|client|sending|your) ip\b|"
                r"your (?:ip|host|server|network)|poor reputation|dynamic ip|dial-?up|residential|"
                r"sending (?:ip|host|mta)|\bspf\b|\bdkim\b|authentication (?:checks|information)|"
                r"not allowed to send|is not permitted to send|refused to talk|service unavailable; client host|"
                r"not accepting connections|smtp server of your (?:isp|provider)|your isp'?s (?:smtp|mail) server|"
                r"messages from (?:\d{1,3}\.){3}\d{1,3} (?:weren't|were not) sent"),
    ("suspend", r"suspended|(?:account|mailbox|user)\W+(?:\w+\W+){0,5}?(?:is |has been )?(?:disabled|deactivated|"
                r"inactive|locked|frozen|expired|closed)\b|account (?:is |has been )?blocked|inactive (?:account|user|mailbox)|not active|no longer active|"
                r"account (?:has been )?terminated|deactivated|disabled recipient"),
    ("hasmoved", r"has moved|moved to|no longer (?:at|with)|address has changed|changed (?:his|her|their) address"),
    # Mimecast's "554 Host network not allowed" is its Geographical Restriction policy (Mimecast
    # SMTP Error Codes, community.mimecast.com/s/article/Mimecast-SMTP-Error-Codes-842605754).
    ("policyviolation", r"host network not allowed|dmarc|unauthenticated email|multiple addresses in from|policy (?:violation|reasons|rejection)|(?:denied|rejected|refused|blocked) "
                        r"(?:by|due to|because of) (?:our )?(?:local )?policy|violat(?:es|ion of) (?:our )?"
                        r"(?:\w+ ){0,2}polic|closed (?:mailing )?list|not accepted for policy|"
                        r"security issue|potential security|(?:prohibited|illegal|forbidden) (?:content|attachment|file)"),
    ("securityerror", r"authenticat|authrequired|"
                      r"must (?:be )?authenticat|not authenticated|starttls|\btls\b|encryption required|"
                      r"unauthenticated|sender (?:id|policy framework)|check the authentication|"
                      r"authenticate first|auth(?:entication)? (?:is )?required"),
    ("rejected", r"sender (?:address )?(?:rejected|denied|refused|blocked|unknown|verify failed|"
                 r"domain (?:must exist|not found|does not exist|unknown))|(?:envelope|return path) sender|"
                 r"domain of sender address|sender (?:is )?not (?:allowed|authorized|permitted)|"
                 r"mail from .{0,60}(?:rejected|refused|not allowed)|invalid sender|bad sender|"
                 r"from address .{0,30}(?:rejected|not allowed|invalid)|unverified address|"
                 r"sender verification|address verification failed|null sender|"
                 r"rejected by the recipient|refused by (?:the )?recipient|not accept(?:ing)? mail from|"
                 r"your address has been|(?:not have|without) permission to post|not (?:a )?member of (?:this|the) (?:mailing )?list|from:? domain (?:is )?invalid|provide a valid from|(?:address|identit(?:y|ies)) (?:is |are )?not verified"),
    ("filtered", r"recipient (?:address )?rejected by|filtered|refused by recipient|recipient(?:'s)? preferences|"
                 r"blocked by (?:the )?(?:recipient|user)|user refuses|not accepting (?:any )?(?:mail|messages)|"
                 r"does not accept mail from|restricted (?:sms )?e-?mail|delivery not authorized|"
                 r"restrictedtorecipientspermission|not on the recipient's list of senders"),
    ("userunknown", r"user(?:name)? (?:is )?unknown|unknown (?:user|recipient|local|address|mailbox)|"
                    r"no such (?:user|recipient|mailbox|address|account|local user|person)|"
                    r"(?:user|recipient|rcpt|mailbox|address|account|addressee) (?:\S+ ){0,2}(?:does not|doesn't|does ?n[o']t) exist|"
                    r"(?:user|recipient|mailbox|address|account|addressee) (?:not found|not known|unknown|invalid)|"
                    r"invalid (?:recipient|mailbox|user|address)|(?:mailbox|user|recipient) (?:is )?unavailable|"
                    r"not (?:a )?valid (?:mailbox|recipient|user)|no mailbox (?:here|by that name|for)|"
                    r"recipient (?:address(?:es)? )?rejected|undeliverable address|address(?:es)? rejected|"
                    r"not listed in|is not a known user|unrouteable address|no (?:valid )?recipients?|"
                    r"bad destination mailbox|mail-?box not found|no (?:such )?mail ?box (?:found|available)|unknown or illegal alias|"
                    r"bad[ _-]recipient|not an active address|"
                    r"\buser not found|destination (?:address|mailbox) (?:is )?(?:unknown|invalid)|"
                    r"resolver\.adr\.recipnotfound|recipnotfound|recipientnotfound|not found by smtp address lookup|"
                    r"(?:user|address|account) (?:could ?n[o']t|could not|can ?not) be found|"
                    r"(?:user|you) (?:does ?n[o']t|does not) have an? .{0,60}account|"
                    r"(?:account|address|mailbox) (?:\w+ ){0,6}(?:does not|doesn't) exist|invalid final delivery|"
                    r"(?:user|mailbox|address) (?:does )?not exist"),
    ("notaccept", r"null mx|(?:does not|doesn't) (?:accept|receive) (?:e-?mail|mail)|"
                  r"not accept(?:ing)? (?:network )?messages|no smtp service|accepts no mail"),
    ("hostunknown", r"host (?:or domain name )?(?:not found|unknown)|unknown host|domain (?:not found|"
                    r"does not exist|unknown|is not valid|name not found)|no such domain|name or service not known|"
                    r"no (?:valid )?mx|mx (?:record )?(?:not found|lookup)|name service error|unrouteable (?:mail )?domain|"
                    r"nxdomain|domain (?:\S+ )?(?:has no|without) (?:mx|mail)|unknown domain|"
                    r"host not found|unable to route|no route to domain|invalid domain|domain (?:is )?not reachable|"
                    r"^\S*\s*[a-z0-9-]+(?:\.[a-z0-9-]+)+\.? does not exist|"
                    r"recipient domain|dns (?:error|failure|lookup)|dns domain \S+ does not exist|domainnonexistent|"
                    r"(?:could ?n[o']t|could not|can ?not) find any host"),
    ("exceedlimit", r"exceeds? (?:the )?(?:mailbox|per-mailbox|administrative) limit|"
                    r"message length exceeds administrative limit"),
    ("systemfull", r"system (?:is )?full|insufficient system storage|disk full|out of (?:disk|memory|storage)|"
                   r"no space left"),
    ("expired", r"retry time(?:out)? (?:not reached|exceeded)|(?:delivery|message) (?:time )?expired|"
                r"could not be delivered (?:for|within|after)|queue ?time|too long in (?:the )?queue|"
                r"have been failing for|giving up|gave up|time(?:d)? ?out .{0,40}(?:queue|retry)|\bexpired\b|"
                r"in the queue too long|failed (?:after )?\d+ (?:delivery )?attempts|"
                r"lifetime|was not delivered within|maximum (?:queue|retry)|undelivered for"),
    ("networkerror", r"time(?:d)? ?out|connection (?:refused|reset|closed|lost|dropped|timed)|network "
                     r"(?:is )?unreachable|host unreachable|no route|routing loop|mail loop|loops back|"
                     r"too many hops|hop count|lost connection|broken pipe|could not connect|unable to connect|"
                     r"failed to connect|cannot connect|temporary (?:dns|lookup) failure"),
    ("mailererror", r"command (?:died|failed)|exited with|mailer error|local delivery failed|"
                    r"procmail|pipe to |program .{0,40}(?:failed|error)|sh: |unknown mailer error"),
    ("syntaxerror", r"syntax error|malformed address|command (?:not )?(?:unrecognized|recognized)|unrecognized command|"
                    r"bad sequence|invalid command|line too long"),
    ("contenterror", r"\bheaders?\b|\bmime\b|encoding|\b8-?bit\b|malformed (?:message|header|mime)|"
                     r"invalid (?:message|content)|rfc ?5322|rfc ?2822|message format"),
    ("systemerror", r"system error|internal (?:server )?error|server error|local error|"
                    r"configuration error|misconfigur|service (?:is )?(?:currently |temporarily )?(?:not available|unavailable)|"
                    r"write error|i/o error|duplicated message-id|"
                    r"resources"),
]
# Lower-case patterns on lower-cased text: 3.5 times faster than re.I on the corpus's diagnostics
# (bench/score_reasons.py's rows, 0.34 s against 1.17 s for 7,780 of them).
_PHRASE_RES = [(reason, compiled(pattern)) for reason, pattern in _PHRASES]
_UNKNOWN_USER_RES = [pattern for reason, pattern in _PHRASE_RES if reason == "userunknown"]


def says_unknown_user(text):
    """Whether English words of the text say a mailbox or user is unknown (the phrases above)."""
    lowered = text.lower()
    return any(pattern.search(lowered) for pattern in _UNKNOWN_USER_RES)

# RFC 3463 §3: enhanced status codes whose detail names one cause. Codes that say only "refused"
# (X.7.1, X.0.0) or "something about the address" (X.1.0) are left to the words.
_BY_STATUS = {
    "1.1": "userunknown", "1.2": "hostunknown", "1.3": "userunknown", "1.4": "filtered",
    "1.6": "hasmoved", "1.7": "rejected", "1.8": "rejected", "1.10": "notaccept",
    "2.0": "filtered", "2.1": "filtered", "2.2": "mailboxfull", "2.3": "exceedlimit", "2.4": "filtered",
    "3.0": "systemerror", "3.1": "systemfull", "3.2": "notaccept", "3.3": "systemerror",
    "3.4": "mesgtoobig", "3.5": "systemerror",
    "4.0": "networkerror", "4.1": "networkerror", "4.2": "networkerror", "4.3": "systemerror",
    "4.4": "hostunknown", "4.5": "systemfull", "4.6": "networkerror", "4.7": "expired",
    "5.1": "syntaxerror", "5.2": "syntaxerror", "5.3": "toomanyconn", "5.4": "syntaxerror",
    "5.5": "systemerror", "5.6": "syntaxerror",
    "6.0": "contenterror", "6.1": "contenterror", "6.2": "contenterror", "6.3": "contenterror",
    "6.5": "contenterror", "6.6": "contenterror", "6.7": "contenterror", "6.8": "contenterror",
    "6.9": "contenterror",
    "7.0": "securityerror", "7.1": "securityerror", "7.2": "securityerror", "7.3": "securityerror",
    "7.4": "securityerror", "7.5": "securityerror", "7.6": "securityerror", "7.7": "securityerror",
    "7.8": "securityerror", "7.9": "securityerror", "7.10": "securityerror", "7.11": "securityerror",
    "7.13": "suspend", "7.14": "securityerror", "7.17": "hasmoved", "7.18": "hasmoved",
    "7.20": "securityerror", "7.21": "securityerror", "7.22": "securityerror", "7.23": "securityerror",
    "7.24": "securityerror", "7.25": "blocked", "7.26": "securityerror", "7.27": "notaccept",
}
# A 4.7.1 is a temporary refusal of the sending host (greylisting, a reputation hold).
# X.3.0 and X.4.0 say only "something failed for now"; they decide nothing.
_BY_TEMPORARY_STATUS = {"7.1": "blocked", "7.2": "blocked", "4.1": "expired", "3.0": None, "4.0": None,
                        "2.0": None}

# RFC 5321 §4.2.3: the basic reply codes that name one cause on their own.
_BY_REPLY = {
    "452": "systemfull", "500": "syntaxerror", "501": "syntaxerror", "502": "syntaxerror",
    "451": "systemerror", "503": "syntaxerror", "504": "syntaxerror", "551": "hasmoved", "552": "mailboxfull",
    "555": "syntaxerror",
}

# The SMTP command a refusal answered: a refusal of the connection or of the greeting is about the
# sending host, whatever generic words follow; one of MAIL FROM is about the sender's address.
_BY_COMMAND = {"CONN": "blocked", "HELO": "blocked", "EHLO": "blocked", "MAIL": "rejected"}
# Words that name no cause of their own ("service not available", "try again"): the command or the
# codes say more.
_WEAK = {"systemerror"}
# RFC 3463: statuses whose detail is more exact than any wording (X.2.3 is the mailbox's own size
# limit, even when the text says only "message size exceeds").
_STATUS_DECIDES = {"2.3": "exceedlimit", "2.2": "mailboxfull"}
# A transient failure that ended the delivery (Action: failed or delayed) because the remote
# host never answered: the sending server retried until its queue lifetime ran out.
_NEVER_ANSWERED = re.compile(r"time(?:d)? ?out|did not accept our requests to connect|not reachable|"
                             r"unable to connect|could not connect", re.I)
# What is noise to the phrases: addresses and URLs (an address "filtered@example.org" is no filter);
# an address's local part holds no colon or bracket (RFC 5322 atext), so "not found:bob@example.org"
# keeps its words.
# So is a provider's boilerplate about spam in general (Gmail adds "To best protect our users
# from spam" to SPF, DKIM and header refusals alike): it names no verdict on this message.
# Each is tried only on text that holds its mark ("@", "spam"): a regex cannot skip ahead to them.
_ADDRESS_NOISE = re.compile(r"<?[^\s<>@:;,()\[\]]{1,64}+@[^\s<>]{1,255}>?")
_SPAM_BOILERPLATE = re.compile(r"protect our users from spam|reduce the amount of spam", re.I)
# Postfix's "Host not found, try again" is the resolver's TRY_AGAIN: a DNS failure for now.
# A bare "try again" is advice to a person ("check the domain and try again"), not the resolver.
_FOR_NOW = re.compile(r"not found, try again|temporar", re.I)
_ABOUT_THE_SENDING_HOST = {"CONN", "HELO", "EHLO"}
# Orange and La Poste end their replies with a tag, OFR (Orange), LPN (La Poste) or OUK, then
# "_NNN" or "NNN_NNN": its last three digits name the cause, as Orange's postmaster pages list
# them (https://www.postmastery.com/orange-postmaster-smtp-error-codes-ofr/, also read by Sisimai's
# Rhost::FrancePTT). The tag is the provider's own verdict, so it decides before the generic
# words beside it ("Service refuse. Veuillez essayer plus tard" is said for many causes). Tags
# documented only as "try later" (105, 108, 109, 201, 423, 424, 513) name no cause: the words decide.
_ORANGE_TAG = re.compile(r"\b(?:lpn|ofr|ouk)(?:_|\d{3}[-_])(\d{3})\b")
_BY_ORANGE_TAG = {
    "102": "blocked",        # source IP blocked for spamming
    "103": "blocked",        # service refused to the sending host
    "104": "toomanyconn",    # too many connections, slow down
    "305": "securityerror",  # invalid authentication code
    "401": "blocked",        # SPF: the host is not allowed to send for the domain
    "402": "securityerror",  # authentication required
    "403": "rejected", "405": "rejected", "415": "rejected",  # invalid sender
    "416": "userunknown", "418": "userunknown",  # invalid recipient
    "417": "mailboxfull",    # recipient over quota
    "420": "suspend",        # recipient's mailbox archived
    "421": "rejected",       # MAIL FROM not owned by the user
    "426": "suspend",        # recipient's account blocked
    "505": "systemerror",    # service refused by a failing system
    "506": "spamdetected",   # mail rejected as spam
    "510": "blocked",        # service refused to the sending host
    "514": "mesgtoobig",     # message size limit reached
    "999": "blocked",        # service refused to the sending host (its reputation)
}
_READ_CHARS = 2000
# Diagnostic-Code types of a local delivery program's own report (sendmail and Postfix write
# `X-Unix; 127`, the program's exit status, or its words): it failed, not an SMTP server.
_LOCAL_PROGRAM = {"x-unix"}


def reason_of(status=None, reply_code=None, diagnostic=None, action=None, command=None, diagnostic_type=None):
    """The reason name (a key of REASONS) for one recipient's outcome."""
    if action in ("delivered", "relayed", "expanded"):
        return "delivered"
    detail = status[2:] if status and status[0] in "45" else None
    if detail in _STATUS_DECIDES:
        return _STATUS_DECIDES[detail]
    # A reply states its cause in its first lines; reading no further keeps a huge folded
    # diagnostic from costing 30 scans of itself.
    # An address taken out leaves one space, as the words around it stood ("user [x] does not exist").
    words = " ".join(_without_noise((diagnostic or "")[:_READ_CHARS]).split())
    key = (words, status, reply_code, action, (command or "").upper(), diagnostic_type)
    memo = _MEMO.get()
    if memo is None:
        return _reason_of_wording(*key)
    if key not in memo:
        if len(memo) >= MAX_REMEMBERED:
            memo.clear()
        memo[key] = _reason_of_wording(*key)
    return memo[key]


def _without_noise(text):
    if "@" in text:
        text = _ADDRESS_NOISE.sub(" ", text)
    return _SPAM_BOILERPLATE.sub(" ", text) if "spam" in text.lower() else text


# Without its addresses, a server's wording repeats across the recipients and the messages of a
# batch (a night's mbox): within `remembered()`, each wording is read once. The memo lives as long
# as the batch, so that no process keeps the words of what a visitor pasted.
_MEMO = contextvars.ContextVar("reasons_memo", default=None)
MAX_REMEMBERED = 10_000


@contextlib.contextmanager
def remembered():
    """Read each wording's reason once until the block ends (a batch, a command-line run)."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _reason_of_wording(words, status, reply_code, action, command, diagnostic_type):
    """The reason of a wording without its addresses, with the codes and the command it came with."""
    code = reply_code or status
    # Without a code, a delayed or expired delivery was transient; a failed one may be either.
    transient = code[0] == "4" if code else (True if action in ("delayed", "expired") else None)
    detail = status[2:] if status and status[0] in "45" else None
    tagged = _reason_of_orange_tag(words)
    if tagged:
        return tagged
    reason = reason_of_text(words)
    if reason in _WEAK and command in _BY_COMMAND:
        reason = _BY_COMMAND[command]
    if transient is not False and action in ("failed", "delayed", "expired") and _NEVER_ANSWERED.search(words):
        return "expired"  # not a 5xx: the host never answered until the queue lifetime ran out
    if reason:
        return _refined(reason, words, detail, command, transient)
    if command in _BY_COMMAND and (reply_code or status):
        return _BY_COMMAND[command]
    return (_reason_of_status(status) or (action == "delayed" and "expired") or
            _BY_REPLY.get(reply_code or "") or (diagnostic_type in _LOCAL_PROGRAM and "mailererror") or
            ("onhold" if action == "failed" else "undefined"))


def _refined(reason, words, detail, command, transient):
    """A reason read from words, corrected by what the codes and the command add."""
    if reason in ("userunknown", "hostunknown") and command == "MAIL":
        return "rejected"  # in reply to MAIL FROM, the unknown address is the sender's
    names_the_address = _reason_of_status_detail(detail) == "userunknown"  # X.1.1, X.1.3
    if reason == "userunknown" and not names_the_address and (
            command == "DATA" or (detail in ("2.0", "2.1") and command != "RCPT")):
        # The mailbox was accepted at RCPT TO, or its status says it exists (RFC 3463 §3.3): the
        # "unknown user" is the mailbox's own filter refusing this message (Sisimai reads it so too).
        # A status naming a bad mailbox address (X.1.1) still says the address is unknown.
        return "filtered"
    if reason == "userunknown" and not names_the_address and command != "RCPT" and detail and detail[:2] == "7.":
        # RFC 3463 §3.8: an X.7.x status says the message was refused by a policy at the
        # mailbox, whatever words follow; the status does not say the address is bad. (At RCPT
        # TO, "invalid recipient" still speaks of the address.)
        return "filtered"
    if reason in ("hostunknown", "userunknown", "systemerror") and command in _ABOUT_THE_SENDING_HOST:
        return "blocked"  # before any recipient was named, a refusal is of the sending host
    if reason == "hostunknown" and (transient or _FOR_NOW.search(words)):
        return "networkerror"  # a DNS lookup that failed for now proves nothing about the domain
    return reason


# What an ESP's own words may decide for an event without SMTP data: only that the address is
# gone, which they state plainly ("mailbox_not_found", "invalid domain"). Their other words
# name their own lists: Brevo's "blocked : due to blacklist user" is the sender's suppression
# list, no blocklist of the receiving side.
_PLAIN_ESP_REASONS = {"userunknown", "hostunknown"}


def reason_of_esp(bounce_type, detail):
    """The reason an ESP's bounce type and words name plainly, or None."""
    words = " ".join(w for w in (bounce_type, detail) if w).replace("_", " ")
    reason = reason_of_text(words)
    return reason if reason in _PLAIN_ESP_REASONS else None


def reason_of_text(diagnostic):
    """The reason the words of a reply name, or None."""
    if not diagnostic:
        return None
    diagnostic = diagnostic.lower()
    for reason, pattern in _PHRASE_RES:
        if pattern.search(diagnostic):
            return reason
    # A localised notice: "Postfach voll", "ユーザが存在しません" (wordings.py).
    return wordings.meaning(diagnostic)


def _reason_of_orange_tag(words):
    """The reason an Orange or La Poste tag (OFR_999, LPN007_416) documents, or None."""
    found = _ORANGE_TAG.search(words.lower())
    return _BY_ORANGE_TAG.get(found.group(1)) if found else None


def _reason_of_status_detail(detail):
    return _BY_STATUS.get(detail) if detail else None


def _reason_of_status(status):
    if not status or status[0] not in "45":
        return None
    detail = status[2:]
    if status[0] == "4" and detail in _BY_TEMPORARY_STATUS:
        return _BY_TEMPORARY_STATUS[detail]
    return _BY_STATUS.get(detail)
