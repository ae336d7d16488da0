"""The seeded site of ``site_audit.py``: nested pages, their links, and what each link should be.

Pure: ``build_site`` returns the files (path -> bytes) and the ground truth, ``write_site``
puts the files on disk. The same seed and sizes give the same site, byte for byte, whatever
the ports (only the origins differ).

The shape:
- a tree of directories, up to three deep, each with an ``index.html`` that links its child
  directories and its pages, so every page is reachable from ``/`` by links; the remaining
  pages are ``page-N.html`` files spread over the directories;
- every page carries a nav (``/``, its section, ``/about.html``, ``/contact.html``); every
  seventh page also links the same dead ``/old/contact.html`` (one dead link on many pages);
- the other links are drawn by kind (``CONTENT_MIX``): pages of the site (some with an anchor
  that exists, ``#s1``..``#s3``), directories without their trailing slash (a 301 to the slash),
  images, a pool of missing pages (404), a pool of removed ones (410, under ``/gone/``), links to
  a port nothing listens on, and pages on two slow hosts (some of them 404s); each internal link
  written relative (``../b/page-3.html``), root-relative (``/a/b/page-3.html``) or absolute;
- a pool of links whose page exists but whose anchor does not (``#missing-N``);
- ``/private/`` (disallowed by ``robots.txt``) holds two pages with only good links;
- ``/archive/`` holds three pages no link leads to: only ``sitemap.xml`` lists them, each with
  one dead link of its own (found only by a tool that reads the sitemap or the files on disk).

Every URL is on loopback: the site on one address, the slow hosts on two others, the closed
port on a fourth.
"""

from __future__ import annotations

import posixpath
import random
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

# Kinds of dead link (the ground truth's values).
MISSING, GONE, REFUSED, SLOW_MISSING = "404", "410", "refused", "slow host 404"

# Content links by kind, in percent of the content links (the rest: ``page``).
CONTENT_MIX = (
    ("page_anchor", 8.0),  # a page of the site with an anchor it has
    ("missing_anchor", 1.5),  # a page of the site with an anchor it lacks (from a pool)
    ("dir_no_slash", 3.0),  # /a/b -> 301 -> /a/b/
    ("image", 3.0),
    ("dead_image", 0.3),
    ("missing", 4.0),  # a page that was never there (from a pool), 404
    ("gone", 0.5),  # /gone/N, 410
    ("refused", 0.5),  # a port nothing listens on
    ("slow", 8.0),  # a page on the slow host
    ("slow_missing", 1.0),
    ("slower", 2.0),  # a page on the slower host
    ("slower_missing", 0.5),
)
NAV = ("/", "", "/about.html", "/contact.html")  # "" stands for the page's own section
SHARED_DEAD = "/old/contact.html"  # on every seventh page
SHARED_DEAD_EVERY = 7
ANCHORS = ("s1", "s2", "s3")
IMAGE_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56
IMAGES = 20
PRIVATE_PAGES = 2
ORPHAN_PAGES = 3
MAX_DEPTH = 3


@dataclass(frozen=True)
class Origins:
    """Where everything is served: ``http://address:port`` each, no trailing slash."""

    site: str
    slow: str  # answers after a short delay
    slower: str  # answers after a longer one
    closed: str  # nothing listens there: connection refused


@dataclass
class Site:
    files: dict[str, bytes]  # path under the site root ("docs/index.html") -> content
    pages: list[str]  # every HTML page's URL path ("/docs/"), reachable ones first
    reachable: list[str]  # pages a crawler reaches from "/" by links
    private: list[str]  # pages under /private/ (reachable, disallowed by robots.txt)
    orphans: list[str]  # pages only the sitemap lists
    links: int  # links on all pages (duplicates counted)
    # Normalised URL (no fragment) -> kind, for dead links on reachable pages.
    dead: dict[str, str] = field(default_factory=dict)
    dead_orphans: dict[str, str] = field(default_factory=dict)  # only on orphan pages
    missing_fragments: set[str] = field(default_factory=set)  # full URLs, #fragment kept
    good: set[str] = field(default_factory=set)  # normalised URLs of links that answer 2xx
    start: str = ""  # the start URL of a crawl


def normalise(url: str, *, keep_fragment: bool = False) -> str:
    """Scheme and host lower case, the default port dropped, "/" for an empty path."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port is None or port == default else f"{host}:{port}"
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, fragment))


def _directories(count: int, rng: random.Random) -> list[str]:
    """``count`` directory paths ("/", "/d3/", "/d3/d7/", ...), parents before children."""
    dirs = ["/"]
    depth = {"/": 0}
    while len(dirs) < count:
        parent = rng.choice([d for d in dirs if depth[d] < MAX_DEPTH])
        child = f"{parent}d{len(dirs)}/"
        dirs.append(child)
        depth[child] = depth[parent] + 1
    return dirs


def _href(target: str, source_dir: str, origin: str, rng: random.Random) -> str:
    """A site path written relative, root-relative or absolute (40/40/20)."""
    draw = rng.random()
    if draw < 0.4:
        relative = posixpath.relpath(target, source_dir)
        if target.endswith("/"):
            relative = "./" if relative == "." else relative + "/"
        return relative
    if draw < 0.8:
        return target
    return origin + target


def _page_html(title: str, lines: list[str]) -> bytes:
    sections = "\n".join(
        f'<h2 id="{anchor}">Section {anchor}</h2>\n<p>Text of {title}, part {anchor}.</p>'
        for anchor in ANCHORS
    )
    body = "\n".join(lines)
    return (
        f"<!doctype html>\n<html><head><meta charset=utf-8><title>{title}</title>\n"
        f"</head>\n<body>\n<h1>{title}</h1>\n"
        f"{sections}\n<ul>\n{body}\n</ul>\n</body></html>\n"
    ).encode()


class _Builder:
    """Draws the links of every page and records what each should turn out to be."""

    def __init__(self, origins: Origins, rng: random.Random) -> None:
        self.origins = origins
        self.rng = rng
        self.links = 0
        self.dead: dict[str, str] = {}
        self.missing_fragments: set[str] = set()
        self.good: set[str] = set()

    def link(self, href: str, source: str, kind: str | None, *, img: bool = False) -> str:
        """One link of the page at URL path ``source``: its HTML line, the truth recorded."""
        self.links += 1
        absolute = normalise(urljoin(self.origins.site + source, href), keep_fragment=True)
        if kind is None:
            self.good.add(normalise(absolute))
        elif kind == "fragment":
            self.good.add(normalise(absolute))
            self.missing_fragments.add(absolute)
        else:
            self.dead[normalise(absolute)] = kind
        if img:
            return f'<li><img src="{href}" alt="picture"></li>'
        return f'<li><a href="{href}">link</a></li>'


def build_site(origins: Origins, pages: int, links: int, seed: int) -> Site:
    """The site: ``pages`` HTML pages holding ``links`` links in all (duplicates counted)."""
    fixed = 1 + 2 + PRIVATE_PAGES + ORPHAN_PAGES  # the root, about, contact, private, archive
    if pages < fixed + 10:
        raise ValueError(f"need at least {fixed + 10} pages")
    rng = random.Random(seed)
    dirs = _directories(max(3, pages // 20), rng)
    leaves = pages - len(dirs) - 2 - PRIVATE_PAGES - ORPHAN_PAGES
    leaf_pages = [f"{rng.choice(dirs)}page-{index}.html" for index in range(leaves)]
    children: dict[str, list[str]] = {d: [] for d in dirs}
    for directory in dirs[1:]:
        children[posixpath.dirname(directory.rstrip("/")).rstrip("/") + "/"].append(directory)
    for page in leaf_pages:
        children[page.rsplit("/", 1)[0] + "/"].append(page)
    private = [f"/private/page-{index}.html" for index in range(PRIVATE_PAGES)]
    children["/"].append("/private/page-0.html")
    orphans = [f"/archive/page-{index}.html" for index in range(ORPHAN_PAGES)]
    reachable = [*dirs, "/about.html", "/contact.html", *leaf_pages, *private]
    site_pages = [p for p in reachable if p not in private]  # targets of content links

    nav_links = sum(
        len(NAV) + (1 if index % SHARED_DEAD_EVERY == 0 else 0)
        for index in range(len(reachable) + len(orphans))
    )
    tree_links = sum(len(kids) for kids in children.values()) + len(private) - 1
    orphan_dead = ORPHAN_PAGES
    content = links - nav_links - tree_links - orphan_dead
    if content < len(reachable):  # about one a page at least
        raise ValueError(
            f"{links} links are too few for {pages} pages (need {links - content + len(reachable)})"
        )
    # Content links go on the public reachable pages only: the private pages and the orphans
    # keep the truth simple (only good links, or one dead link of their own).
    slots = [0] * (len(reachable) + len(orphans))
    public = [n for n, path in enumerate(reachable) if path not in private]
    for _ in range(content):
        slots[rng.choice(public)] += 1

    pools = {
        "missing": [
            f"{rng.choice(dirs)}old-{index}.html" for index in range(max(4, content // 80))
        ],
        "gone": [f"/gone/{index}" for index in range(max(2, content // 400))],
        "refused": [f"/r/{index}" for index in range(max(2, content // 500))],
        "slow": [f"/ok/{index}" for index in range(max(4, content // 40))],
        "slow_missing": [f"/missing/{index}" for index in range(max(2, content // 300))],
        "slower": [f"/ok/{index}" for index in range(max(2, content // 150))],
        "slower_missing": [f"/missing/{index}" for index in range(max(1, content // 600))],
        "missing_anchor": [
            f"{rng.choice(site_pages)}#missing-{index}" for index in range(max(2, content // 200))
        ],
        "dead_image": [f"/img/missing-{index}.png" for index in range(max(1, content // 1000))],
    }
    kinds = [kind for kind, _ in CONTENT_MIX]
    weights = [weight for _, weight in CONTENT_MIX]
    kinds.append("page")
    weights.append(100 - sum(weights))
    # Every kind at least once (a small site too), the rest drawn by weight, in random order.
    drawn = kinds + rng.choices(kinds, weights, k=content - len(kinds))
    rng.shuffle(drawn)

    builder = _Builder(origins, rng)
    files: dict[str, bytes] = {}
    every = reachable + orphans
    for number, path in enumerate(every):
        directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        section = "/" + path.split("/")[1] + "/" if path.count("/") > 1 else "/"
        section = section if section in children else "/"  # /private/, /archive/: no index
        lines: list[str] = []
        for target in NAV:
            target = target or section
            lines.append(builder.link(_href(target, directory, origins.site, rng), path, None))
        if number % SHARED_DEAD_EVERY == 0:
            lines.append(builder.link(SHARED_DEAD, path, MISSING))
        for target in children.get(path, []):
            lines.append(builder.link(_href(target, directory, origins.site, rng), path, None))
        if path == "/private/page-0.html":
            lines.append(builder.link("page-1.html", path, None))
        if path in orphans:
            lost = f"/archive/lost-{orphans.index(path)}.html"
            lines.append(builder.link(lost, path, MISSING))
        for _ in range(slots[number]):
            kind = drawn.pop()
            lines.append(_content_link(builder, kind, pools, path, directory, site_pages))
        files[path.lstrip("/") + ("index.html" if path.endswith("/") else "")] = _page_html(
            path, lines
        )
    # The orphans' dead links are not on reachable pages: kept apart.
    dead_orphans = {
        normalise(origins.site + f"/archive/lost-{index}.html"): MISSING
        for index in range(ORPHAN_PAGES)
    }
    dead = {url: kind for url, kind in builder.dead.items() if url not in dead_orphans}
    for index in range(IMAGES):
        files[f"img/pic-{index}.png"] = IMAGE_BYTES
    files["robots.txt"] = (
        f"User-agent: *\nDisallow: /private/\nSitemap: {origins.site}/sitemap.xml\n"
    ).encode()
    listed = [p for p in every if p not in private]
    files["sitemap.xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"<url><loc>{origins.site}{p}</loc></url>\n" for p in listed)
        + "</urlset>\n"
    ).encode()
    return Site(
        files=files,
        pages=every,
        reachable=reachable,
        private=private,
        orphans=orphans,
        links=builder.links,
        dead=dead,
        dead_orphans=dead_orphans,
        missing_fragments=builder.missing_fragments,
        good=builder.good,
        start=origins.site + "/",
    )


def _content_link(
    builder: _Builder,
    kind: str,
    pools: dict[str, list[str]],
    source: str,
    directory: str,
    site_pages: list[str],
) -> str:
    rng, origins = builder.rng, builder.origins
    if kind == "page":
        return builder.link(
            _href(rng.choice(site_pages), directory, origins.site, rng), source, None
        )
    if kind == "page_anchor":
        target = rng.choice(site_pages) + "#" + rng.choice(ANCHORS)
        return builder.link(_href(target, directory, origins.site, rng), source, None)
    if kind == "missing_anchor":
        target = rng.choice(pools[kind])
        return builder.link(_href(target, directory, origins.site, rng), source, "fragment")
    if kind == "dir_no_slash":
        target = rng.choice([p for p in site_pages if p.endswith("/") and p != "/"] or ["/"])
        return builder.link(
            _href(target.rstrip("/") or "/", directory, origins.site, rng), source, None
        )
    if kind == "image":
        target = f"/img/pic-{rng.randrange(IMAGES)}.png"
        return builder.link(_href(target, directory, origins.site, rng), source, None, img=True)
    if kind == "dead_image":
        target = rng.choice(pools[kind])
        return builder.link(_href(target, directory, origins.site, rng), source, MISSING, img=True)
    if kind == "missing":
        target = rng.choice(pools[kind])
        if rng.random() < 0.1:  # a dead page is dead whatever the anchor
            target += "#s1"
        return builder.link(_href(target, directory, origins.site, rng), source, MISSING)
    if kind == "gone":
        return builder.link(
            _href(rng.choice(pools[kind]), directory, origins.site, rng), source, GONE
        )
    if kind == "refused":
        return builder.link(origins.closed + rng.choice(pools[kind]), source, REFUSED)
    host = origins.slow if kind.startswith("slow_") or kind == "slow" else origins.slower
    dead = SLOW_MISSING if kind.endswith("_missing") else None
    return builder.link(host + rng.choice(pools[kind]), source, dead)


def write_site(site: Site, root: Path) -> None:
    for relative, content in site.files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
