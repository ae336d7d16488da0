"""Anchors a document defines: HTML ids and names, Markdown heading slugs and explicit ids."""

from __future__ import annotations

import pytest

from linkcheck.extract import DocumentKind, extract, html_anchors, markdown_anchors
from linkcheck.extract.markdown import slug


def test_html_every_id_and_every_a_name() -> None:
    body = (
        "<h1 id='top'>T</h1><a name='legacy'>x</a>"
        "<div id='x-1'><span id=\"caf\u00e9\"></span></div>"
        "<p name='not-an-anchor'>p</p><a id=''>empty</a><!-- <a id='commented'> -->"
    )
    assert html_anchors(body) == {"top", "legacy", "x-1", "caf\u00e9"}
    assert html_anchors(body.encode()) == html_anchors(body)


def test_html_document_anchors_come_with_its_links() -> None:
    doc = extract("<a href='#a' id='a'>x</a>", DocumentKind.HTML, source="https://e.example/")
    assert doc.anchors == {"a"}


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Hello World", "hello-world"),
        ("Hello, World!", "hello-world"),
        ("What's new in v2.0?", "whats-new-in-v20"),
        ("snake_case and kebab-case", "snake_case-and-kebab-case"),
        ("  Spaces  inside ", "--spaces--inside-"),
        ("Caf\u00e9 \u00fcber \u6f22\u5b57", "caf\u00e9-\u00fcber-\u6f22\u5b57"),
        ("Emoji \U0001f680 rocket", "emoji--rocket"),
        ("C++ & C#", "c--c"),
        ("API (v1)", "api-v1"),
    ],
)
def test_github_slugs(heading: str, expected: str) -> None:
    assert slug(heading) == expected


def test_markdown_heading_slugs_with_duplicates_and_explicit_ids() -> None:
    text = """# Install
## Install
## Install
Setext title
============
### Use `linkcheck audit` with *care*
## [Linked](https://x.example/) heading
<a name="custom-anchor"></a>
Text <span id="inline-id">x</span>.

<div id="block-id">

```
# not a heading
```
"""
    assert markdown_anchors(text) == {
        "install",
        "install-1",
        "install-2",
        "setext-title",
        "use-linkcheck-audit-with-care",
        "linked-heading",
        "custom-anchor",
        "inline-id",
        "block-id",
    }


def test_a_heading_that_repeats_a_suffixed_slug() -> None:
    assert markdown_anchors("# a\n# a\n# a-1\n") == {"a", "a-1", "a-1-1"}


def test_markdown_document_anchors_come_with_its_links() -> None:
    doc = extract("# Title\n\n[x](#title)\n", DocumentKind.MARKDOWN, source="README.md")
    assert doc.anchors == {"title"}
    assert doc.links[0].url.endswith("/README.md#title")


def test_other_kinds_define_no_anchors() -> None:
    assert extract("https://x.example/", DocumentKind.TEXT, source="a.txt").anchors == frozenset()
