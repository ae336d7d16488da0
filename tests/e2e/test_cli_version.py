"""``linkcheck --version``: the installed package's version, exit 0."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

from linkcheck.cli import installed_version


def test_version_prints_the_package_version_and_exits_0() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "linkcheck.cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"linkcheck {version('linkcheck')}\n"
    assert done.stderr == ""


def test_the_version_comes_from_the_package_metadata() -> None:
    assert installed_version() == version("linkcheck")
