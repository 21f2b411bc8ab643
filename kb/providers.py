"""Which provider generated a reply: by the host that sent it, else by text only its replies carry.

Pure Python over objects with host_list() and signature_list() (kb.models.Provider),
so that the analyser, the API and the content checks share one rule.
"""


def identify(text, host, providers):
    """The provider whose servers sent the reply, or None when nothing says.

    A host decides first: a reply from mx.google.com is Gmail's whatever it says.
    Without one, the longest signature found in the text wins, so that a reply
    naming `prod.outlook.com` is Microsoft 365's even though `RESOLVER.` (on-premises
    Exchange too) is in it as well.
    """
    providers = list(providers)
    return _by_host(host, providers) or _by_signature(text, providers)


def _by_host(host, providers):
    host = (host or "").strip().strip("[]").rstrip(".").lower()
    if not host:
        return None
    best, best_length = None, 0
    for provider in providers:
        for domain in provider.host_list():
            domain = domain.lower()
            if (host == domain or host.endswith("." + domain)) and len(domain) > best_length:
                best, best_length = provider, len(domain)
    return best


def _by_signature(text, providers):
    folded = (text or "").casefold()
    if not folded:
        return None
    best, best_length = None, 0
    for provider in providers:
        for signature in provider.signature_list():
            if len(signature) > best_length and signature.casefold() in folded:
                best, best_length = provider, len(signature)
    return best
