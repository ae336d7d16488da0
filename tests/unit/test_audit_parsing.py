"""Pages parsed in another process: the child's protocol, and the same links as read here."""

from __future__ import annotations

import asyncio
import io
import pickle

import pytest

from linkcheck.audit.documents import read_document
from linkcheck.audit.parse_worker import HEADER, serve
from linkcheck.audit.parsing import ParsingProcess
from linkcheck.engine import Page
from linkcheck.extract import ExtractedDocument

URL = "http://127.0.0.1:8000/docs/index.html"
BODY = (
    b"<!doctype html><html><body><h2 id='top'>Top</h2>\n"
    b"<a href='guide.html#top'>guide</a>\n<a href='https://example.org/x'>x</a>\n"
    b"<img src='/logo.png'></body></html>"
)


def _message(*fields: object) -> bytes:
    data = pickle.dumps(fields)
    return HEADER.pack(len(data)) + data


def _answers(raw: bytes) -> list[tuple[object, ...]]:
    stream, answers = io.BytesIO(raw), []
    while head := stream.read(HEADER.size):
        answers.append(pickle.loads(stream.read(HEADER.unpack(head)[0])))
    return answers


def test_the_child_answers_each_page_with_its_links_anchors_and_base() -> None:
    sink = io.BytesIO()
    requests = _message(1, URL, "text/html", BODY, True) + _message(
        2, URL[:-16] + "logo.png", "image/png", b"", False
    )
    serve(io.BytesIO(requests), sink)
    first, second = _answers(sink.getvalue())
    here = read_document(URL, "text/html", BODY, media=True)
    assert here is not None
    assert first == (1, tuple((k.url, k.line, k.element) for k in here.links), here.anchors, URL)
    assert second == (2, None, None, None)  # not a document


def test_a_page_parsed_in_the_process_has_the_links_it_has_here() -> None:
    page = Page(url=URL, content_type="text/html", body=BODY, complete=True)

    async def parse() -> tuple[bool, list[ExtractedDocument | None]]:
        process = ParsingProcess(media=True)
        process.start()
        got: list[ExtractedDocument | None] = []
        for _ in range(500):  # until the child is up (bounded)
            if process.offer(page, got.append):
                break
            await asyncio.sleep(0.01)
        else:
            await process.close()
            return False, got
        await process.close()  # its input ends once it has answered
        return True, got

    offered, got = asyncio.run(parse())
    assert offered
    assert got == [read_document(URL, "text/html", BODY, media=True)]


def test_pages_offered_to_a_child_that_died_are_parsed_here(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("linkcheck.audit.parsing.CHILD_CODE", "import sys; sys.exit(3)")
    page = Page(url=URL, content_type="text/html", body=BODY, complete=True)

    async def parse() -> list[ExtractedDocument | None]:
        process = ParsingProcess(media=True)
        process.start()
        got: list[ExtractedDocument | None] = []
        offered = 0
        for _ in range(300):  # while it starts, lives briefly and is seen gone (bounded)
            if process.offer(page, got.append):
                offered += 1
            await asyncio.sleep(0.005)
        await process.close()
        assert len(got) == offered  # every page offered came back, parsed here
        return got

    got = asyncio.run(parse())
    assert all(document == read_document(URL, "text/html", BODY, media=True) for document in got)
