"""Long domain lists shared by a platform module and the registry (pure data, cheap to import).

The registry must know a platform's domains without importing its module (modules load on
first use); the module needs them to judge URLs. Short lists stay inline in both.
"""

from __future__ import annotations

PINTEREST = frozenset(
    {
        "pinterest.com",
        "pin.it",
        "pinterest.co.uk",
        "pinterest.ca",
        "pinterest.com.au",
        "pinterest.de",
        "pinterest.fr",
        "pinterest.es",
        "pinterest.it",
        "pinterest.com.mx",
        "pinterest.jp",
    }
)
AMAZON_SHORT_LINKS = frozenset({"amzn.to", "a.co"})
AMAZON_STORES = frozenset(
    {
        "amazon.com",
        "amazon.co.uk",
        "amazon.de",
        "amazon.fr",
        "amazon.it",
        "amazon.es",
        "amazon.nl",
        "amazon.se",
        "amazon.pl",
        "amazon.com.be",
        "amazon.ca",
        "amazon.com.mx",
        "amazon.com.br",
        "amazon.co.jp",
        "amazon.in",
        "amazon.com.au",
        "amazon.sg",
        "amazon.ae",
        "amazon.sa",
        "amazon.com.tr",
        "amazon.eg",
    }
)
