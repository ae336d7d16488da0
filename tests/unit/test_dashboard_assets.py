"""The dashboard's files: which names are served, their headers, and rules on their content
that a browser test would catch only by chance (no HTML parsing of data, nothing inline, every
reason in plain words, a light page)."""

from __future__ import annotations

import re

import pytest

from linkcheck.dashboard import assets
from linkcheck.engine import Reason

JS = sorted(p for p in assets.STATIC.iterdir() if p.suffix == ".js")
PAGE_BUDGET_BYTES = 80 * 1024  # the whole page, uncompressed


@pytest.mark.parametrize(
    "name",
    ["../assets.py", "..%2fassets.py", "index.html", "app.py", "APP.JS", ".js", "a/b.js", ""],
)
def test_only_the_pages_scripts_and_styles_are_assets(name: str) -> None:
    assert assets.asset(name) is None


def test_every_asset_is_served_with_its_type_and_the_security_headers() -> None:
    names = assets.asset_names()
    assert {"app.js", "api.js", "dom.js", "reasons.js", "dashboard.css"} <= set(names)
    for name in names:
        found = assets.asset(name)
        assert found is not None, name
        headers = found.headers()
        assert headers["Content-Security-Policy"] == assets.CONTENT_SECURITY_POLICY
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == assets.ASSET_CACHE
        expected = "text/css" if name.endswith(".css") else "text/javascript"
        assert headers["Content-Type"].startswith(expected)
    assert assets.page().headers()["Cache-Control"] == "no-cache"


def test_the_policy_is_the_strict_one() -> None:
    directives = dict(d.strip().split(" ", 1) for d in assets.CONTENT_SECURITY_POLICY.split(";"))
    assert directives == {
        "default-src": "'none'",
        "script-src": "'self'",
        "style-src": "'self'",
        "connect-src": "'self'",
        "img-src": "'self' data:",
        "base-uri": "'none'",
        "form-action": "'none'",
        "frame-ancestors": "'none'",
    }


def test_an_etag_names_one_version() -> None:
    app = assets.asset("app.js")
    assert app is not None
    assert app.matches(app.etag) and app.matches(f'W/{app.etag}, "other"') and app.matches("*")
    assert not app.matches('"other"') and not app.matches(None)


def test_no_script_parses_strings_as_html_or_code() -> None:
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
        r"setTimeout\(\s*['\"`]|createContextualFragment|DOMParser|localStorage|console\."
    )
    for path in JS:
        found = forbidden.findall(path.read_text(encoding="utf-8"))
        assert not found, (path.name, found)


def test_the_page_has_nothing_inline() -> None:
    html = assets.page().body
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "something from elsewhere"


def test_every_module_imported_exists() -> None:
    for path in JS:
        for imported in re.findall(r"from '\./([\w-]+\.js)'", path.read_text(encoding="utf-8")):
            assert assets.asset(imported) is not None, (path.name, imported)


def test_every_reason_has_plain_words() -> None:
    source = (assets.STATIC / "reasons.js").read_text(encoding="utf-8")
    block = source[source.index("export const REASONS") :]
    block = block[: block.index("};")]
    described = set(re.findall(r"^\s+(\w+): ", block, flags=re.MULTILINE))
    assert described == {reason.value for reason in Reason}


def test_the_page_stays_light() -> None:
    total = sum(p.stat().st_size for p in assets.STATIC.iterdir() if p.is_file())
    assert total < PAGE_BUDGET_BYTES, total
