"""The report formats of ``check`` and ``crawl``: text, JSON Lines, Markdown, CSV, JUnit XML.

Every format writes one entry per link (Markdown: the failing ones) with where it was found.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from typing import Any, TextIO
from xml.etree import ElementTree

from ..audit.report import LinkReport
from ..engine.verdict import FAILING_STATUSES, Status
from .check_output import format_table, json_record, shown_detail, summary

FORMATS = ("text", "json", "markdown", "csv", "junit")
CSV_FIELDS = (
    "url",
    "status",
    "reason",
    "http_status",
    "final_url",
    "detail",
    "found_in",
    "found_count",
    "checked_at",
)


def write_reports(
    reports: Sequence[LinkReport], out: TextIO, form: str, *, places: bool = True
) -> None:
    """``places``: say where each link was found (audits); plain URL lists have no place."""
    writer = {
        "text": _text,
        "json": _json_lines,
        "markdown": _markdown,
        "csv": _csv,
        "junit": _junit,
    }[form]
    writer(reports, out, places)


def report_record(report: LinkReport, *, places: bool) -> dict[str, Any]:
    record = json_record(report.result)
    if places:
        record["found_in"] = list(report.found_in)
        record["found_count"] = report.found_count
    return record


def found_in(report: LinkReport) -> str:
    """``a.md:3, b.md:9 (+4 more)``: the places named, and how many more there were."""
    shown = ", ".join(report.found_in)
    more = report.found_count - len(report.found_in)
    return f"{shown} (+{more} more)" if shown and more > 0 else shown


def _text(reports: Sequence[LinkReport], out: TextIO, places: bool) -> None:
    where = [found_in(r) for r in reports] if places else None
    out.write(format_table([r.result for r in reports], found_in=where))


def _json_lines(reports: Sequence[LinkReport], out: TextIO, places: bool) -> None:
    encode = json.JSONEncoder(ensure_ascii=False).encode
    out.write("".join(encode(report_record(r, places=places)) + "\n" for r in reports))


def _markdown(reports: Sequence[LinkReport], out: TextIO, places: bool) -> None:
    failing = [r for r in reports if r.result.status in FAILING_STATUSES]
    lines = []
    if failing:
        header = ["Status", "Reason", "URL", *(["Found in"] if places else []), "Detail"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "---|" * len(header))
        for report in failing:
            result = report.result
            cells = [
                result.status.value,
                result.reason.value,
                f"<{result.url}>" if _plain_url(result.url) else result.url,
                *([found_in(report)] if places else []),
                shown_detail(result),
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        lines.append("")
    lines.append(f"**{summary([r.result for r in reports])}**")
    out.write("\n".join(lines) + "\n")


def _plain_url(url: str) -> bool:
    return not any(c in url for c in "<> |\n")


def _cell(text: str) -> str:
    """A table cell: pipes escaped, line breaks folded (one row per link)."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _csv(reports: Sequence[LinkReport], out: TextIO, places: bool) -> None:
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180: CRLF, quoted when needed
    writer.writerow(CSV_FIELDS)
    for report in reports:
        result = report.result
        writer.writerow(
            (
                result.url,
                result.status.value,
                result.reason.value,
                "" if result.http_status is None else result.http_status,
                result.final_url or "",
                shown_detail(result),
                " ".join(report.found_in),
                report.found_count,
                result.checked_at,
            )
        )


# Characters XML 1.0 cannot hold at all, even escaped: dropped from the report.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


def _junit(reports: Sequence[LinkReport], out: TextIO, places: bool) -> None:
    """One testsuite, one testcase per link; a failing link is a ``failure``, a ``blocked``
    one ``skipped`` (the checker was refused: nothing is known of the link)."""
    failures = sum(r.result.status in FAILING_STATUSES for r in reports)
    skipped = sum(r.result.status is Status.BLOCKED for r in reports)
    suites = ElementTree.Element("testsuites")
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name="linkcheck",
        tests=str(len(reports)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    for report in reports:
        result = report.result
        case = ElementTree.SubElement(
            suite,
            "testcase",
            name=_xml_text(result.url),
            classname=_xml_text(report.found_in[0] if report.found_in else "linkcheck"),
            time=f"{result.elapsed_ms / 1000:.3f}",
        )
        message = f"{result.status.value}/{result.reason.value}"
        if result.http_status is not None:
            message += f" (HTTP {result.http_status})"
        text = shown_detail(result)
        if places and report.found_in:
            text += f"\nFound in: {found_in(report)}"
        if result.status in FAILING_STATUSES:
            failure = ElementTree.SubElement(
                case, "failure", message=_xml_text(message), type=result.reason.value
            )
            failure.text = _xml_text(text)
        elif result.status is Status.BLOCKED:
            ElementTree.SubElement(case, "skipped", message=_xml_text(f"{message}: {text}"))
    ElementTree.indent(suites)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ElementTree.tostring(suites, encoding="unicode"))
    out.write("\n")
