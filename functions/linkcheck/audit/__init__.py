"""Audits: every link of a page, a site, a bio or a folder, checked once each.

The shared core of ``linkcheck check``/``crawl`` and of the API's audits: what is in scope,
robots.txt, fragments, and the in-process crawler over the engine. Knows no table or queue.
"""
