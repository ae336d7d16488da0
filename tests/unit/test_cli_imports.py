"""Starting the command line stays cheap: no AWS SDK, moto or local stack until a command runs."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("boto3", "botocore", "moto", "samtranslator", "cfnlint", "linkcheck.local.stack")


def test_importing_the_cli_loads_no_heavy_module() -> None:
    code = (
        "import json, sys, linkcheck.cli\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == []
