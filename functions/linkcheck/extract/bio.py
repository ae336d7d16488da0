"""The links a link-in-bio page or a profile lists.

- Linktree (and any page with its data shape, e.g. on a custom domain): ``__NEXT_DATA__``,
  ``props.pageProps.account``: ``links[].url`` and ``socialLinks[].url``; an account that is
  not active lists nothing.
- TikTok profiles (``tiktok.com/@user``): the bio link, from
  ``__UNIVERSAL_DATA_FOR_REHYDRATION__`` (``webapp.user-detail``) or the older ``SIGI_STATE``.
- YouTube channels (``/@handle``, ``/channel/``, ``/c/``, ``/user/``): the channel's links in
  ``ytInitialData`` (header and "about" links), unwrapped from ``youtube.com/redirect?q=``.
- Other bio services (``SERVICES``), best effort: absolute http(s) URLs under link-like keys
  of the page data (``url``, ``href``, ``link``...), except the service's own hosts and asset
  files, then the page's anchors that leave the service.

Each link comes once (the same link is often in the data and in the markup), as element
``bio``, with no line number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import pagedata
from .charset import decode_html
from .model import EMPTY_ANCHORS, MAX_LINKS, ExtractedDocument, FoundLink

# Bio services whose pages are addressed by path (service.tld/name) or by subdomain
# (name.service.tld).
BY_PATH = frozenset(
    {
        "linktr.ee",
        "beacons.ai",
        "stan.store",
        "hoo.be",
        "taplink.cc",
        "taplink.at",
        "linkpop.com",
        "snipfeed.co",
        "lnk.bio",
        "campsite.bio",
        "bio.link",
        "komi.io",
    }
)
BY_SUBDOMAIN = frozenset({"carrd.co", "komi.io", "bio.link", "msha.ke", "milkshake.app"})
SERVICES = BY_PATH | BY_SUBDOMAIN
_NOT_PROFILES = frozenset({"www", "app", "api", "help", "support", "blog", "docs", "cdn", "static"})
_TIKTOK = frozenset({"tiktok.com", "m.tiktok.com"})
_YOUTUBE = frozenset({"youtube.com", "m.youtube.com"})
_YOUTUBE_CHANNEL = re.compile(r"^/(?:@[^/]+|channel/[^/]+|c/[^/]+|user/[^/]+)(?:/|$)")
_LINK_KEYS = frozenset(
    {
        "url",
        "href",
        "link",
        "uri",
        "website",
        "externalurl",
        "external_url",
        "linkurl",
        "link_url",
        "destination",
        "destinationurl",
        "redirecturl",
        "target",
        "targeturl",
    }
)
_ASSET_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".avif",
    ".svg",
    ".ico",
    ".css",
    ".js",
    ".woff",
    ".woff2",
    ".ttf",
    ".otf",
    ".mp4",
    ".webm",
    ".json",
    ".map",
)
# Hosts that serve a page's own assets, never a link someone listed.
_ASSET_HOSTS = (
    "cloudfront.net",
    "imgix.net",
    "cloudinary.com",
    "gstatic.com",
    "googleapis.com",
    "googletagmanager.com",
    "google-analytics.com",
    "sentry.io",
    "segment.com",
    "jsdelivr.net",
    "unpkg.com",
    "amazonaws.com",
    "fastly.net",
    "akamaihd.net",
    "typekit.net",
    "vercel.app",
)
_YOUTUBE_LINK_KEYS = frozenset(
    {
        "channelExternalLinkViewModel",
        "headerLinks",
        "primaryLinks",
        "secondaryLinks",
        "attributionViewModel",
    }
)
_BARE_HOST = re.compile(r"^[\w-]+(?:\.[\w-]+)+(?:[/?#:]|$)")


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def _service(host: str) -> str | None:
    for domain in SERVICES:
        if _within(host, domain):
            return domain
    return None


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def is_bio_page(url: str) -> bool:
    """The URL is a page of a known link-in-bio service, a TikTok profile or a YouTube channel."""
    host, path = _host(url), _path(url)
    if host in _TIKTOK:
        return path.startswith("/@") and len(path.strip("/")) > 1
    if host in _YOUTUBE:
        return bool(_YOUTUBE_CHANNEL.match(path))
    domain = _service(host)
    if domain is None:
        return False
    subdomain = host[: -len(domain)].rstrip(".")
    if subdomain and domain in BY_SUBDOMAIN:
        return subdomain.split(".")[-1] not in _NOT_PROFILES
    return domain in BY_PATH and bool(path.strip("/"))


def absolute(value: object) -> str | None:
    """An http(s) URL from a value of page data: ``//host/...`` and ``host.tld/...`` get
    ``https:``; anything else that is not absolute http(s) is no link."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > 8192 or any(c.isspace() for c in url):
        return None
    if url.startswith("//"):
        url = "https:" + url
    elif "://" not in url[:12] and _BARE_HOST.match(url):
        url = "https://" + url
    if not url[:8].lower().startswith(("http://", "https://")) or not _host(url):
        return None
    return url


def _document(urls: Iterable[str | None], page_url: str) -> ExtractedDocument:
    seen: set[str] = set()
    links: list[FoundLink] = []
    for url in urls:
        if url and url not in seen and len(links) < MAX_LINKS:
            seen.add(url)
            links.append(FoundLink(url=url, source=page_url, line=None, element="bio"))
    return ExtractedDocument(links=tuple(links), anchors=EMPTY_ANCHORS, base_url=page_url)


def _linktree(next_data: Any) -> list[str | None] | None:
    account = pagedata.dig(next_data, "props", "pageProps", "account")
    if not isinstance(account, dict) or "links" not in account:
        return None
    if account.get("isActive") is False:
        return []
    found: list[str | None] = []
    for key in ("links", "socialLinks"):
        items = account.get(key)
        if isinstance(items, list):
            found += [absolute(item.get("url")) for item in items if isinstance(item, dict)]
    return found


def _tiktok(text: str) -> list[str | None]:
    data = pagedata.named(text, "__UNIVERSAL_DATA_FOR_REHYDRATION__")
    user = pagedata.dig(data, "__DEFAULT_SCOPE__", "webapp.user-detail", "userInfo", "user")
    if user is None:  # the older layout
        users = pagedata.dig(pagedata.named(text, "SIGI_STATE"), "UserModule", "users")
        user = next(iter(users.values()), None) if isinstance(users, dict) and users else None
    return [absolute(pagedata.dig(user, "bioLink", "link"))]


def _unwrap_youtube(url: str | None) -> str | None:
    """The target of a ``youtube.com/redirect?q=`` link (the link itself otherwise)."""
    if not url:
        return None
    if url.startswith("/"):
        url = "https://www.youtube.com" + url
    if _within(_host(url), "youtube.com") and _path(url) == "/redirect":
        targets = parse_qs(urlsplit(url).query).get("q")
        return absolute(targets[0]) if targets else None
    return absolute(url)


def _youtube_links(value: Any) -> Iterator[str | None]:
    """Endpoint URLs inside one links block of ytInitialData."""
    for key, item, _parent in pagedata.walk(value):
        if key == "urlEndpoint" and isinstance(item, dict):
            yield _unwrap_youtube(item.get("url") if isinstance(item.get("url"), str) else None)


def _youtube(text: str) -> list[str | None]:
    data = pagedata.named(text, "ytInitialData")
    found: list[str | None] = []
    for key, value, _parent in pagedata.walk(data):
        if key not in _YOUTUBE_LINK_KEYS:
            continue
        inside: list[str | None] = [url for url in _youtube_links(value) if url]
        if not inside and key == "channelExternalLinkViewModel":
            inside = [absolute(pagedata.dig(value, "link", "content"))]  # "example.com/x"
        found += inside
    return found


def _leaves_service(url: str, service: str | None, page_host: str) -> bool:
    host = _host(url)
    if not host or host == page_host or (service and _within(host, service)):
        return False
    if any(_within(host, asset) for asset in _ASSET_HOSTS):
        return False
    return not _path(url).lower().endswith(_ASSET_SUFFIXES)


def _generic(text: str, page_url: str) -> list[str | None]:
    from .html import extract_html

    page_host = _host(page_url)
    service = _service(page_host)
    found: list[str | None] = []
    for _name, data in pagedata.page_data(text):
        for key, value, _parent in pagedata.walk(data):
            if key.lower() in _LINK_KEYS and isinstance(value, str):
                url = absolute(value) if "://" in value[:12] else None
                if url and _leaves_service(url, service, page_host):
                    found.append(url)
    page = extract_html(text, source=page_url, base_url=page_url, media=False)
    found += [link.url for link in page.links if _leaves_service(link.url, service, page_host)]
    return found


def extract_bio(body: bytes | str, page_url: str) -> ExtractedDocument | None:
    try:
        return _extract_bio(decode_html(body), page_url)
    except Exception:  # page data is hostile input: a surprise in it is "not a page it knows"
        return None


def _extract_bio(text: str, page_url: str) -> ExtractedDocument | None:
    host, path = _host(page_url), _path(page_url)
    if host in _TIKTOK:
        return _document(_tiktok(text), page_url) if is_bio_page(page_url) else None
    if host in _YOUTUBE:
        return _document(_youtube(text), page_url) if _YOUTUBE_CHANNEL.match(path) else None
    linktree = _linktree(pagedata.named(text, "__NEXT_DATA__"))
    if linktree is not None:
        return _document(linktree, page_url)
    if not is_bio_page(page_url):
        return None
    return _document(_generic(text, page_url), page_url)
