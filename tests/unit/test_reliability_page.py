"""``docs/reliability.md`` is what ``scripts/render_reliability.py`` makes of the result files."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _renderer() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "render_reliability", ROOT / "scripts" / "render_reliability.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_reliability = _renderer()


def _result(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "title": f"{name.title()} run",
        "date": "2026-11-27T04:30:00Z",
        "commit": "abc1234",
        "command": f"python benchmarks/{name}.py",
        "summary": f"What {name} tried.",
        "rows": [["Links", 1000], ["Lost", 0]],
        "invariants": {"lost": 0},
        **extra,
    }


def _write(directory: Path, *results: dict[str, Any]) -> None:
    for result in results:
        (directory / f"{result['name']}.json").write_text(json.dumps(result))


def test_the_committed_page_is_up_to_date() -> None:
    page = render_reliability.render(render_reliability.load_results())
    committed = (ROOT / "docs" / "reliability.md").read_text()
    assert committed == page, (
        "docs/reliability.md differs from what benchmarks/results/*.json give: "
        "run python scripts/render_reliability.py and commit the page"
    )


def test_sections_come_in_a_fixed_order(tmp_path: Path) -> None:
    _write(tmp_path, _result("zeta"), _result("hostile"), _result("alpha"), _result("load"))
    _write(tmp_path, _result("chaos"))
    names = [r["name"] for r in render_reliability.load_results(tmp_path)]
    assert names == ["chaos", "load", "hostile", "alpha", "zeta"]


def test_a_page_renders_with_whatever_files_exist(tmp_path: Path) -> None:
    assert "No benchmark" in render_reliability.render(render_reliability.load_results(tmp_path))
    _write(tmp_path, _result("load", notes=["a note"]))
    page = render_reliability.render(render_reliability.load_results(tmp_path))
    assert "## Load run" in page and "## Chaos" not in page
    assert "| Links | 1000 |" in page
    assert "`abc1234`" in page and "`python benchmarks/load.py`" in page
    assert "- a note" in page and "`lost` 0" in page
    assert "at least once" in page  # the delivery contract comes first


def test_rendering_is_deterministic_and_escapes_cells(tmp_path: Path) -> None:
    _write(tmp_path, _result("hostile", rows=[["a | b", "x\ny"], ["ratio", 0.5]]))
    results = render_reliability.load_results(tmp_path)
    page = render_reliability.render(results)
    assert page == render_reliability.render(render_reliability.load_results(tmp_path))
    assert "| a \\| b | x y |" in page
    assert "| ratio | 0.5 |" in page


@pytest.mark.parametrize("stale", [True, False])
def test_check_mode_says_how_to_fix_a_stale_page(
    stale: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, _result("load"))
    page = tmp_path / "reliability.md"
    fresh = render_reliability.render(render_reliability.load_results(tmp_path))
    page.write_text("old\n" if stale else fresh)
    monkeypatch.setattr(render_reliability, "RESULTS", tmp_path)
    monkeypatch.setattr(render_reliability, "PAGE", page)
    monkeypatch.setattr(render_reliability, "ROOT", tmp_path)
    assert render_reliability.main(["--check"]) == (1 if stale else 0)
    if stale:
        assert "run python scripts/render_reliability.py" in capsys.readouterr().out
