"""``scripts/setup.sh`` says what it installs on a first run and stays silent on re-runs.

Run on a copy of the script with a stand-in Python (a shell script that records its arguments
and creates ``.venv/bin/python`` as a copy of itself), so nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/usr/bin/env bash
# Stand-in for python: records each call; "-m venv DIR" makes DIR/bin/python a copy of itself.
echo "$*" >> "$CALLS"
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$0" "$3/bin/python"
fi
if [ -n "${FAIL_PIP:-}" ] && [ "$2" = "pip" ]; then echo "pip: no network" >&2; exit 1; fi
exit 0
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    fake = tmp_path / "fake-python"
    fake.write_text(FAKE_PYTHON, encoding="utf-8")
    fake.chmod(0o755)
    return tmp_path


def setup(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHON": str(root / "fake-python"),
        "CALLS": str(root / "calls.log"),
        **env,
    }
    return subprocess.run(
        ["bash", "scripts/setup.sh"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def pip_installs(root: Path) -> int:
    calls = (root / "calls.log").read_text(encoding="utf-8").splitlines()
    return sum(1 for call in calls if call.startswith("-m pip install"))


def test_the_first_run_says_what_it_installs_then_done(tmp_path: Path) -> None:
    root = project(tmp_path)
    first = setup(root)
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    lines = first.stderr.splitlines()
    assert lines[0].startswith("Setting up .venv: installing linkcheck and its dev tools")
    assert "first run" in lines[0]
    assert lines[-1].startswith("done")
    assert pip_installs(root) == 2  # pip itself, then linkcheck with its dev tools


def test_a_rerun_is_silent_and_installs_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert setup(root).returncode == 0
    again = setup(root)
    assert (again.returncode, again.stdout, again.stderr) == (0, "", "")
    assert pip_installs(root) == 2  # nothing more


def test_a_changed_pyproject_says_it_updates(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert setup(root).returncode == 0
    stamp = root / ".venv" / ".linkcheck-installed"
    os.utime(stamp, (1, 1))  # older than pyproject.toml
    updated = setup(root)
    assert updated.returncode == 0
    assert updated.stderr.splitlines()[0].startswith("Updating .venv: pyproject.toml changed")
    assert updated.stderr.splitlines()[-1].startswith("done")


def test_a_failed_install_says_so_and_is_retried_next_time(tmp_path: Path) -> None:
    root = project(tmp_path)
    failed = setup(root, FAIL_PIP="1")
    assert failed.returncode == 1
    assert "pip: no network" in failed.stderr
    assert failed.stderr.splitlines()[-1].startswith("error: installing into .venv failed")
    retried = setup(root)
    assert retried.returncode == 0 and retried.stderr.startswith("Setting up .venv")
