"""Imports stay cheap: each check runs in a fresh interpreter and lists the modules loaded.

The command line loads no AWS SDK, moto or local stack until a command runs; observability
loads neither the X-Ray SDK nor boto3 (the on-demand /check cold start pays for neither); the
engine loads a platform detector module only for a URL that needs it.
"""

from __future__ import annotations

import json
import subprocess
import sys


def loaded_after(code: str) -> str:
    """What ``code`` prints in a fresh interpreter (its last line lists modules)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_importing_the_cli_loads_no_heavy_module() -> None:
    heavy = ("boto3", "botocore", "moto", "samtranslator", "cfnlint", "linkcheck.local.stack")
    code = (
        "import json, sys, linkcheck.cli\n"
        f"print(json.dumps([m for m in {heavy!r} if m in sys.modules]))\n"
    )
    assert json.loads(loaded_after(code)) == []


def test_importing_observability_loads_neither_xray_nor_boto3() -> None:
    # The on-demand /check cold start must not pay for the X-Ray SDK or boto3 (Powertools
    # itself imports only botocore's tiny top-level package, to tag its user agent).
    heavy = ("boto3", "botocore.session", "botocore.client", "aws_xray_sdk")
    code = (
        "import sys, linkcheck.observability\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    assert loaded_after(code) == "[]"


def test_platform_modules_load_only_when_needed() -> None:
    code = (
        "import sys\n"
        "from linkcheck.engine import check_urls\n"
        "check_urls(['not a url'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('linkcheck.engine.platforms.')))\n"
    )
    # The registry and its pure domain lists only: no detector module.
    assert loaded_after(code) == (
        "['linkcheck.engine.platforms.domains', 'linkcheck.engine.platforms.registry']"
    )


def test_the_api_handler_loads_no_document_parser() -> None:
    # Link extraction's parsers (libxml2, markdown-it) serve audits, never the /check path.
    parsers = ("lxml", "markdown_it", "selectolax", "linkcheck.extract.feeds")
    code = (
        "import sys, linkcheck.handlers.api\n"
        f"print(sorted(m for m in {parsers!r} if m in sys.modules))"
    )
    assert loaded_after(code) == "[]"


def test_importing_extract_loads_no_parser_until_a_document_is_read() -> None:
    code = (
        "import sys\n"
        "from linkcheck.extract import DocumentKind, extract, detect_kind, is_bio_page\n"
        "detect_kind(path='a.md'); is_bio_page('https://linktr.ee/x')\n"
        "before = sorted(m for m in ('lxml', 'markdown_it') if m in sys.modules)\n"
        "extract('<a href=x>', DocumentKind.HTML, source='https://e.com/')\n"
        "after = sorted(m for m in ('lxml', 'markdown_it') if m in sys.modules)\n"
        "print(before, after)"
    )
    assert loaded_after(code) == "[] ['lxml']"
