"""Parsers for link extraction: import time, parse time and line numbers, in one run.

HTML candidates: selectolax (lexbor), lxml (libxml2), the standard library's html.parser.
Markdown: markdown-it-py. Each import is timed in a fresh interpreter (what a cold Lambda
pays); each parse on a generated, realistic document (a 200 KB page: head with scripts and
styles, navigation, an article with paragraphs, images and links, a footer; a 50 KB Markdown
file: headings, lists, code blocks, inline and reference links). Prints a table; exits 0.

    .venv/bin/python benchmarks/extract_parsers.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from html.parser import HTMLParser


def html_page(size: int = 200_000, seed: int = 7) -> str:
    """A page shaped like a news article or documentation page, about ``size`` characters."""
    rnd = random.Random(seed)
    words = [
        "link",
        "check",
        "page",
        "site",
        "docs",
        "guide",
        "release",
        "notes",
        "the",
        "of",
        "and",
        "to",
        "in",
        "for",
    ]
    head = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Article</title>",
        "<link rel='stylesheet' href='/static/site.css'><link rel='icon' href='/favicon.ico'>",
        "<script src='https://cdn.example.net/app.js' defer></script>",
        "<style>body{font-family:sans-serif}" + ".c{margin:0}" * 200 + "</style>",
        "<script>window.__DATA__=" + '{"k":"v"}' * 300 + "</script></head><body>",
        "<nav><ul>",
        *(f"<li><a href='/section/{i}'>Section {i}</a></li>" for i in range(40)),
        "</ul></nav><main><article>",
    ]
    out = list(head)
    n = 0
    while sum(map(len, out)) < size - 2000:
        n += 1
        text = " ".join(rnd.choice(words) for _ in range(60))
        out.append(
            f"<h2 id='part-{n}'>Part {n}</h2>\n<p class='body'>{text}\n"
            f"<a href='https://example.org/ref/{n}?a=1&amp;b=2'>reference {n}</a> and "
            f"<a href='../other/{n}.html#s{n}'>more</a>.</p>\n"
            f"<img src='/img/{n}.jpg' srcset='/img/{n}@2x.jpg 2x, /img/{n}@3x.jpg 3x' alt=''>\n"
        )
    out.append("</article></main><footer><a href='mailto:x@example.org'>mail</a></footer>")
    out.append("</body></html>\n")
    return "".join(out)


def markdown_file(size: int = 50_000, seed: int = 11) -> str:
    rnd = random.Random(seed)
    words = [
        "install",
        "configure",
        "run",
        "the",
        "tool",
        "with",
        "options",
        "and",
        "read",
        "output",
    ]
    out = ["# Guide\n\n"]
    n = 0
    while sum(map(len, out)) < size - 500:
        n += 1
        text = " ".join(rnd.choice(words) for _ in range(40))
        out.append(
            f"## Step {n}\n\n{text} [docs](https://docs.example.org/{n}) and [ref][r{n}],\n"
            f"see <https://example.org/auto/{n}> or https://bare.example.org/{n}.\n\n"
            f"- item `code {n}`\n- ![img](/img/{n}.png)\n\n"
            f"```sh\ncurl https://in-code.example.org/{n}\n```\n\n"
            f"[r{n}]: https://ref.example.org/{n}\n\n"
        )
    return "".join(out)


def import_ms(module: str, runs: int = 5) -> float:
    """Median wall time to import ``module`` in a fresh interpreter (interpreter start excluded)."""
    code = (
        "import time; t = time.perf_counter(); import " + module + "; "
        "print((time.perf_counter() - t) * 1000)"
    )
    times = []
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
        )
        if done.returncode != 0:
            return float("nan")
        times.append(float(done.stdout.strip()))
    return statistics.median(times)


def parse_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def hrefs_lxml(page: str) -> list[tuple[int | None, str]]:
    import lxml.html

    root = lxml.html.document_fromstring(page)
    return [(a.sourceline, a.get("href", "")) for a in root.iter("a")]


def hrefs_selectolax(page: str) -> list[tuple[int | None, str]]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(page)
    return [(None, a.attributes.get("href") or "") for a in tree.css("a")]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.found.append((self.getpos()[0], dict(attrs).get("href") or ""))


def hrefs_stdlib(page: str) -> list[tuple[int | None, str]]:
    parser = _Collector()
    parser.feed(page)
    parser.close()
    return parser.found


def links_markdown_it(text: str) -> int:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(text)
    return sum(
        1 for t in tokens if t.children for c in t.children if c.type in ("link_open", "image")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    page, md = html_page(), markdown_file()
    print(f"HTML page: {len(page) // 1000} KB, {page.count(chr(10)) + 1} lines; ", end="")
    print(f"Markdown: {len(md) // 1000} KB; median of {args.repeat} parses, 5 imports\n")
    rows: list[tuple[str, str, Callable[[], object], str]] = [
        ("lxml (libxml2)", "lxml.html", lambda: hrefs_lxml(page), "yes: sourceline (≤ 65,535)"),
        ("selectolax (lexbor)", "selectolax.lexbor", lambda: hrefs_selectolax(page), "no"),
        ("html.parser (stdlib)", "html.parser", lambda: hrefs_stdlib(page), "yes: getpos()"),
        ("markdown-it-py", "markdown_it", lambda: links_markdown_it(md), "block map + breaks"),
    ]
    print(f"| {'parser':<22} | import ms | parse ms | links | line numbers |")
    print(f"|{'-' * 24}|-----------|----------|-------|--------------|")
    for name, module, fn, lines in rows:
        try:
            found = fn()
        except ImportError:
            print(f"| {name:<22} | not installed")
            continue
        count = found if isinstance(found, int) else len(found)  # type: ignore[arg-type]
        print(
            f"| {name:<22} | {import_ms(module):9.1f} | {parse_ms(fn, args.repeat):8.2f} "
            f"| {count:5d} | {lines} |"
        )
    print("\nlinkcheck.extract end to end (decode, parse, resolve; what an audit pays per page):\n")
    print(f"| {'document':<22} | ms | links |")
    print(f"|{'-' * 24}|----|-------|")
    from linkcheck.extract import DocumentKind, extract

    for name, body, kind in (
        ("HTML 200 KB", page.encode(), DocumentKind.HTML),
        ("HTML 200 KB, media", page.encode(), DocumentKind.HTML),
        ("Markdown 50 KB", md.encode(), DocumentKind.MARKDOWN),
    ):
        media = name.endswith("media")

        def run(body: bytes = body, kind: DocumentKind = kind, media: bool = media) -> int:
            doc = extract(body, kind, source="https://example.com/a/", media=media)
            return len(doc.links)

        print(f"| {name:<22} | {parse_ms(run, args.repeat):.1f} | {run():5d} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
