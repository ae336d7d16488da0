"""The parsing process of an audit: documents in, links out, over its stdin and stdout.

Started by ``parsing.ParsingProcess``; imports ``linkcheck.extract`` and nothing of the engine.
Each message is a 4-byte big-endian length and a pickle. In: ``(seq, url, content_type, body,
media)``. Out: ``(seq, links, anchors, base_url)``, ``links`` a tuple of ``(url, line,
element)`` (every link's source is ``url``), or ``(seq, None, None, None)`` for a body that
is no document, or ``(seq, error)`` when reading failed (the audit then reads the page
itself). It ends at the end of its input.
"""

from __future__ import annotations

import pickle
import struct
import sys
from typing import BinaryIO

from .documents import read_document

HEADER = struct.Struct("!I")


def serve(source: BinaryIO, sink: BinaryIO) -> None:
    while len(head := source.read(HEADER.size)) == HEADER.size:
        (size,) = HEADER.unpack(head)
        # Pickles from the audit that started this process, over a private pipe.
        seq, url, content_type, body, media = pickle.loads(source.read(size))  # noqa: S301
        try:
            document = read_document(url, content_type, body, media=media)
        except Exception as exc:  # the audit reads this page itself, and meets it there
            answer: tuple[object, ...] = (seq, repr(exc))
        else:
            if document is None:
                answer = (seq, None, None, None)
            else:
                links = tuple((link.url, link.line, link.element) for link in document.links)
                answer = (seq, links, document.anchors, document.base_url)
        data = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        sink.write(HEADER.pack(len(data)) + data)
        sink.flush()


def main() -> None:
    serve(sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()
