"""Link extraction: the links a document holds (HTML, Markdown, text, sitemaps, feeds,
link-in-bio pages), each with where it was found, and the anchors a document defines.

Pure: bytes or text in, values out; no network, no engine. Shared by the CLI and the audits.
"""
