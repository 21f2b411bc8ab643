"""Which provider generated a reply: by the host that sent it, else by text only its replies carry.

Pure Python over objects with host_list() and signature_list() (kb.models.Provider):
the analyser keeps one Directory per content version (kb/matching.py `Content`).
"""


class Directory:
    """Providers' hosts and signatures, read once, for many replies (the analyser keeps one per content)."""

    def __init__(self, providers):
        self.hosts = {}  # {domain: provider}; where two providers list one domain, the first listed keeps it
        for provider in providers:
            for domain in provider.host_list():
                self.hosts.setdefault(domain.lower(), provider)
        self.signatures = sorted(
            ((signature.casefold(), provider) for provider in providers for signature in provider.signature_list()),
            key=lambda pair: -len(pair[0]),
        )

    def identify(self, text, host):
        """A host decides first: a reply from mx.google.com is Gmail's whatever it says.

        Without one, the longest signature found in the text wins, so that a reply
        naming `prod.outlook.com` is Microsoft 365's even though `RESOLVER.` (on-premises
        Exchange too) is in it as well.
        """
        return self._by_host(host) or self._by_signature(text)

    def _by_host(self, host):
        """The provider of the longest listed domain that is the host or one it is under."""
        labels = (host or "").strip().strip("[]").rstrip(".").lower().split(".")
        for n in range(len(labels)):
            provider = self.hosts.get(".".join(labels[n:]))
            if provider is not None:
                return provider
        return None

    def _by_signature(self, text):
        folded = (text or "").casefold()
        if folded:
            for signature, provider in self.signatures:  # longest first
                if signature in folded:
                    return provider
        return None
