"""A small web site on 127.0.0.1 for audit tests: nested pages, relative links, ``<base>``,
a sitemap, fragments present and missing, robots.txt disallowing a section, a slow page,
duplicate links, a redirect and a link to another site (a second server)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .servers import Reply, ScriptedServer

XML = {"Content-Type": "application/xml"}
TEXT = {"Content-Type": "text/plain"}


def page(body: str) -> Reply:
    return Reply(200, body=f"<!doctype html><html><body>{body}</body></html>".encode())


@contextmanager
def site() -> Iterator[tuple[ScriptedServer, ScriptedServer]]:
    """(the site, another site it links to)."""
    with ScriptedServer() as server, ScriptedServer() as other:
        other.route("/elsewhere", page("<a href='/never-read'>not ours to crawl</a>"))
        server.route("/robots.txt", Reply(200, TEXT, b"User-agent: *\nDisallow: /private/\n"))
        server.route(
            "/",
            page(
                "<a href='/a.html'>A</a> <a href='a.html'>A again</a>"
                "<a href='about/'>about</a>"
                "<a href='/a.html#intro'>intro</a> <a href='/a.html#nope'>nope</a>"
                "<a href='/missing'>missing</a> <a href='/missing'>missing twice</a>"
                "<a href='/private/secret.html'>secret</a>"
                "<a href='/redirect'>moved</a> <a href='/slow'>slow</a>"
                f"<a href='{other.url('/elsewhere')}'>elsewhere</a>"
                "<a href='mailto:someone@example.com'>mail</a>"
            ),
        )
        server.route(
            "/a.html",
            page(
                "<h2 id='intro'>Intro</h2><base href='/sub/'>"
                "<a href='page.html'>in sub</a> <a href='/'>home</a>"
            ),
        )
        server.route("/sub/page.html", page("<a href='deep.html'>deeper</a>"))
        server.route(
            "/sub/deep.html",
            page("<p id='bottom'>the bottom</p><a href='#bottom'>up</a><a href='#gone'>gone</a>"),
        )
        server.route("/about/", page("<a href='../a.html#intro'>back to intro</a>"))
        server.route("/private/secret.html", page("<a href='/only-in-private'>hidden</a>"))
        server.route("/only-in-private", page("never found: its page is not read"))
        server.route("/redirect", Reply(301, {"Location": "/a.html"}))
        server.route("/slow", Reply(200, body=b"<p>slow</p>", delay=0.2))
        server.route(
            "/sitemap.xml",
            Reply(
                200,
                XML,
                (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"<url><loc>{server.url('/from-sitemap.html')}</loc></url></urlset>"
                ).encode(),
            ),
        )
        server.route("/from-sitemap.html", page("<a href='/a.html'>A</a>"))
        yield server, other
