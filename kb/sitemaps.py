"""sitemap.xml: the pages a search engine should know, drafts never among them."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from kb.models import Code, Provider


class EntrySitemap(Sitemap):
    """Published entries only: a draft's page answers 404 to visitors anyway."""

    def items(self):
        return Code.objects.published().only("code", "updated").order_by("code")

    def lastmod(self, entry):
        return entry.updated


class ProviderSitemap(Sitemap):
    def items(self):
        return Provider.objects.only("slug").order_by("slug")


class MainPageSitemap(Sitemap):
    """The pages every visitor starts from; named URLs, so a moved page moves here too."""

    priority = 0.8

    def items(self):
        return ["home", "code_list", "provider_list", "analyze", "reasons", "changes", "api_docs"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": MainPageSitemap, "entries": EntrySitemap, "providers": ProviderSitemap}
