"""Amazon product links (the main country stores, ``amzn.to`` and ``a.co`` short links): named,
not judged.

A product page that is gone answers 404, which the HTTP verdict already says. Amazon's "Robot
Check" captcha page is a refusal that the generic refusal detection recognises on any site, so
it is not repeated here. Only the store hosts (bare, ``www.``, ``smile.``, ``m.``) are Amazon
products: ``aws.amazon.com`` and other Amazon services are ordinary sites.
"""

from __future__ import annotations

from . import html
from .domains import AMAZON_SHORT_LINKS, AMAZON_STORES
from .tag_only import TagOnlyDetector

SHORT_LINKS = AMAZON_SHORT_LINKS
STORES = AMAZON_STORES
_STORE_PREFIXES = ("www.", "smile.", "m.")


class AmazonDetector(TagOnlyDetector):
    name = "amazon"
    label = "Amazon"
    domains = STORES | SHORT_LINKS

    def wants(self, url: str) -> bool:
        host = html.host(url)
        if host in SHORT_LINKS:
            return True
        for prefix in _STORE_PREFIXES:
            host = host.removeprefix(prefix)
        return host in STORES
