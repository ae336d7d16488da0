"""Links of Markdown documents: inline, reference, autolinks, bare URLs, raw HTML; not code."""

from __future__ import annotations

from pathlib import Path

from linkcheck.extract import DocumentKind, ExtractedDocument, extract

DOC = """# Guide

Read [the docs](https://docs.example.com/start) and [setup](setup.md#install),
then [the FAQ][faq] or [FAQ] again. Plain https://bare.example.org/path. and
www.example.net too; autolink <https://auto.example.com/x>.

![diagram](img/diagram.png "title") and [![badge](https://ci.example/badge.svg)](https://ci.example/)

```sh
curl https://fenced.example.com/
```

    https://indented.example.com/

Inline `https://code.example.com/` is code.

<p align="center"><a href="https://raw.example.com/">raw</a><img src="logo.png"></p>

| col | link |
|-----|------|
| a   | [t](https://table.example.com/) |

Contact: <mailto:x@example.com>, [js](javascript:alert(1)), [empty]().

[faq]: https://faq.example.com/
[unused]: https://unused.example.com/
"""


def md(
    body: str,
    *,
    media: bool = False,
    source: str = "/repo/docs/guide.md",
    base_url: str | None = None,
) -> ExtractedDocument:
    return extract(body, DocumentKind.MARKDOWN, source=source, base_url=base_url, media=media)


def found(doc: ExtractedDocument) -> list[tuple[str, int | None, str]]:
    return [(link.url, link.line, link.element) for link in doc.links]


def test_every_kind_of_markdown_link_with_its_line() -> None:
    assert found(md(DOC)) == [
        ("https://docs.example.com/start", 3, "markdown"),
        ("file:///repo/docs/setup.md#install", 3, "markdown"),
        ("https://faq.example.com/", 4, "markdown"),
        ("https://faq.example.com/", 4, "markdown"),
        ("https://bare.example.org/path", 4, "markdown"),
        ("http://www.example.net", 5, "markdown"),
        ("https://auto.example.com/x", 5, "markdown"),
        ("https://ci.example/", 7, "markdown"),
        ("https://raw.example.com/", 17, "a"),
        ("https://table.example.com/", 21, "markdown"),
    ]


def test_images_only_with_media() -> None:
    urls = [url for url, _line, element in found(md(DOC, media=True)) if element == "img"]
    assert urls == [
        "file:///repo/docs/img/diagram.png",
        "https://ci.example/badge.svg",
        "file:///repo/docs/logo.png",
    ]


def test_code_holds_no_links() -> None:
    urls = [url for url, _line, _element in found(md(DOC, media=True))]
    assert not any("code.example" in u or "fenced" in u or "indented" in u for u in urls)
    assert not any("unused" in u for u in urls)


def test_with_a_base_url_links_resolve_against_it() -> None:
    doc = md("[a](other.md) [b](#sec)", base_url="https://github.com/o/r/blob/main/docs/guide.md")
    assert [link.url for link in doc.links] == [
        "https://github.com/o/r/blob/main/docs/other.md",
        "https://github.com/o/r/blob/main/docs/guide.md#sec",
    ]


def test_a_local_file_resolves_relative_links_against_its_directory(tmp_path: Path) -> None:
    source = tmp_path / "README.md"
    doc = md("[x](docs/a%20b.md) [y](#top)", source=str(source))
    assert [link.url for link in doc.links] == [
        (tmp_path / "docs" / "a b.md").as_uri(),
        source.as_uri() + "#top",
    ]


def test_lines_inside_a_multiline_paragraph_and_list() -> None:
    body = "intro\n\n- one\n- two [a](https://a.example/)\n  continued [b](https://b.example/)\n"
    assert [(link.url, link.line) for link in md(body).links] == [
        ("https://a.example/", 4),
        ("https://b.example/", 5),
    ]


def test_links_in_headings_and_blockquotes() -> None:
    body = "## See [spec](https://spec.example/)\n\n> quoted https://quote.example/\n"
    assert [(link.url, link.line) for link in md(body).links] == [
        ("https://spec.example/", 1),
        ("https://quote.example/", 3),
    ]


def test_bare_urls_keep_balanced_parentheses() -> None:
    body = "See https://en.wikipedia.org/wiki/Foo_(bar) (or https://x.example/a)."
    assert [link.url for link in md(body).links] == [
        "https://en.wikipedia.org/wiki/Foo_(bar)",
        "https://x.example/a",
    ]


def test_bytes_with_a_bom_and_crlf() -> None:
    body = "\ufeff# T\r\n\r\n[a](https://a.example/)\r\n".encode()
    assert [(link.url, link.line) for link in md(body).links] == [("https://a.example/", 3)]
