"""The end of a ``check`` or ``crawl`` run: accepted codes applied, the cache kept, the report
written, the exit code."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TextIO

from ..audit.report import LinkReport
from ..engine.verdict import FAILING_STATUSES
from .accept import accepted
from .formats import write_reports
from .report_options import ReportSettings
from .usage import UsageError

EXIT_OK, EXIT_FAILED = 0, 1


def finish(
    reports: Sequence[LinkReport], settings: ReportSettings, *, places: bool, written: bool = False
) -> int:
    """Keep fresh verdicts in the cache, write the report (unless ``written`` already) and
    return the exit code. ``reports`` hold the verdicts before ``--accept``."""
    if settings.cache is not None:
        for report in reports:
            settings.cache.put(report.url, report.result)
        settings.cache.save()
    shown = [with_accept(report, settings) for report in reports]
    if not written:
        with report_output(settings) as out:
            write_reports(shown, out, settings.form, places=places)
    failed = any(report.result.status in FAILING_STATUSES for report in shown)
    return EXIT_FAILED if failed else EXIT_OK


def with_accept(report: LinkReport, settings: ReportSettings) -> LinkReport:
    judged = accepted(report.result, settings.accept)
    return report if judged is report.result else replace(report, result=judged)


@contextlib.contextmanager
def report_output(settings: ReportSettings) -> Iterator[TextIO]:
    if settings.output is None:
        yield sys.stdout
        return
    try:
        handle = settings.output.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise UsageError(f"cannot write --output {settings.output}: {exc.strerror}") from None
    with handle:
        yield handle
