"""The dashboard in a real Chromium against ``linkcheck dev``, with local sites as the links.

Signing in, adding links, a link turning broken after a sweep, an audit, keyboard-only use
and hostile data rendered as text. Sweeps, checks and audits are driven as the dev stack tests
drive them (``tick``, ``run_pumps_once``), never by waiting on the clock; the page's own
polling is awaited with Playwright's bounded waits.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from linkcheck.handlers.routes.table import ROUTES
from tests.browser.conftest import PHONE, Tab
from tests.e2e.servers import Reply, ScriptedServer, scripted_server
from tests.integration.test_worker_devstack import sweep_when_due

if TYPE_CHECKING:
    from linkcheck.local.stack import DevStack

HTML = {"content-type": "text/html; charset=utf-8"}
KEY_ITEM = "linkcheck.apiKey"


def page_reply(body: str, status: int = 200) -> Reply:
    return Reply(status, HTML, f"<html><body>{body}</body></html>".encode())


@pytest.fixture()
def site() -> Iterator[ScriptedServer]:
    with scripted_server() as server:
        server.route("/", page_reply('<a href="/guide">guide</a> <a href="/gone">gone</a>'))
        server.route("/guide", page_reply("<h1>Guide</h1>"))
        server.route("/flip", page_reply("<h1>Here for now</h1>"))
        server.route("/gone", page_reply("<h1>Not found</h1>", 404))
        server.route("/robots.txt", Reply(200, {"content-type": "text/plain"}, b""))
        yield server


def drain(dev_stack: DevStack, rounds: int = 10) -> None:
    for _ in range(rounds):
        if not dev_stack.run_pumps_once():
            return


def focus_on(tab: Tab, element_id: str) -> None:
    """Wait (bounded) until keyboard focus is on the element with this id."""
    # A function, not an expression: the page's CSP forbids evaluating strings.
    tab.page.wait_for_function(
        "(id) => document.activeElement.id === id", arg=element_id, timeout=10_000
    )


def card(tab: Tab, url: str):  # type: ignore[no-untyped-def]
    return tab.page.locator("li.card").filter(
        has=tab.page.get_by_role("link", name=url, exact=True)
    )


def test_sign_in_add_links_and_watch_one_break(
    tab: Tab, dev_stack: DevStack, site: ScriptedServer
) -> None:
    page = tab.page
    tab.open()
    # A wrong key is refused in words, and not kept.
    page.get_by_label("API key", exact=True).fill("lck_not_a_real_key")
    page.get_by_role("button", name="Open the dashboard").click()
    page.get_by_role("alert").filter(has_text="unknown or revoked").wait_for()
    assert page.evaluate(f"sessionStorage.getItem('{KEY_ITEM}')") is None

    tab.sign_in()
    # The key is in this tab's session storage only: no cookie, no local storage, no URL.
    assert page.evaluate(f"sessionStorage.getItem('{KEY_ITEM}')") == tab.api_key
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    assert not [url for url in tab.requests if tab.api_key in url]

    flip, guide = site.url("/flip"), site.url("/guide")
    page.get_by_label("URLs to watch").fill(f"{flip}\n{guide}\n\nnot a url\n")
    page.get_by_label("Tags (optional)").fill("browser-test")
    page.get_by_role("button", name="Add links").click()
    page.locator(".outcome").get_by_text("2 added, 0 already registered, 1 refused.").wait_for()
    page.get_by_text("Line 3 (not a url)").wait_for()
    card(tab, flip).wait_for()

    # Checked now from the page: ok (the schedule stays as it was).
    page.get_by_label("Tag", exact=True).fill("browser-test")
    page.get_by_role("button", name="Apply filters").click()
    card(tab, guide).wait_for()
    card(tab, flip).get_by_role("button", name="Check now").click()
    card(tab, flip).locator(".badge-ok").wait_for()
    card(tab, flip).get_by_text("The page answered and its content is there.").wait_for()

    # The page starts answering 404: a sweep and its confirmation make the link broken.
    site.route("/flip", page_reply("<h1>Not found</h1>", 404))
    with tab.api() as api:
        links = api.get("/links", params={"tag": "browser-test"}).json()["links"]
        flipped = next(link for link in links if link["url"] == flip)
    sweep_when_due(flipped)
    drain(dev_stack)
    page.get_by_role("button", name="Refresh").click()
    broken = card(tab, flip)
    broken.locator(".badge-broken").wait_for()
    broken.get_by_text("The server says the page does not exist (404 Not Found).").wait_for()
    if "/stats" in ROUTES:  # the counters by state
        page.get_by_role("button", name="broken").filter(has_text="1").wait_for()

    # Its details: the last check in plain words, its history as a timeline.
    broken.get_by_role("link", name="Details").click()
    page.get_by_role("heading", name="Link", exact=True).wait_for()
    focus_on(tab, "view-title")
    page.get_by_role("heading", name="Last check").wait_for()
    timeline = page.get_by_role("list", name="Past results, newest first")
    timeline.locator("li").nth(1).wait_for()
    assert "404 Not Found" in timeline.locator("li").first.inner_text()
    assert "The page answered" in timeline.locator("li").last.inner_text()
    page.get_by_role("button", name="Check now").click()
    page.get_by_role("status").filter(has_text="Checked").wait_for()

    # At phone width nothing overflows sideways.
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    tab.screenshot("link-details-phone")
    page.set_viewport_size({"width": 1100, "height": 900})

    # Delete, after a confirmation.
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Delete the link").click()
    page.get_by_role("heading", name="Links", exact=True).wait_for()
    page.get_by_role("status").filter(has_text="Deleted").wait_for()
    with tab.api() as api:
        assert api.get(f"/links/{flipped['id']}").status_code == 404
    tab.screenshot("links")


def test_an_audit_started_in_the_page_shows_what_is_broken_and_where(
    tab: Tab, dev_stack: DevStack, site: ScriptedServer
) -> None:
    page = tab.page
    tab.sign_in()
    page.get_by_role("link", name="Audits").click()
    page.get_by_label("Page or site to audit").fill(site.url("/"))
    page.get_by_label("What to check").select_option("site")
    page.get_by_role("button", name="Start the audit").click()
    page.get_by_role("heading", name="Audit", exact=True).wait_for()
    assert page.url.split("#")[1].startswith("audit/aud_")

    drain(dev_stack)  # the page polls until the audit completes
    page.get_by_role("status").filter(has_text="The audit is completed").wait_for()
    gone = card(tab, site.url("/gone"))
    gone.get_by_text("The server says the page does not exist (404 Not Found).").wait_for()
    gone.get_by_text("Found on:").wait_for()
    gone.locator(".found-in").get_by_role("link", name=site.url("/"), exact=True).wait_for()
    assert page.locator("#audit-progress").get_attribute("value") == page.locator(
        "#audit-progress"
    ).get_attribute("max")
    tab.screenshot("audit")

    page.get_by_role("link", name="← All audits").click()
    page.get_by_role("list", name="Audits").get_by_text("completed").first.wait_for()


FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim(),
    label: el.labels && el.labels.length ? el.labels[0].innerText : '',
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def press_tab_until(tab: Tab, wanted: str, limit: int = 80) -> list[dict[str, str]]:
    """Press Tab until the focused control's text starts with ``wanted`` or its label is it.

    Every control reached on the way must show a visible focus indicator.
    """
    seen: list[dict[str, str]] = []
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        focused = tab.page.evaluate(FOCUSED)
        seen.append(focused)
        if focused["tag"] != "body":
            assert focused["outline"], f"no visible focus on {focused}"
        if focused["text"].startswith(wanted) or focused["label"] == wanted:
            return seen
    raise AssertionError(f"Tab never reached {wanted!r}: {[s['text'] or s['id'] for s in seen]}")


def test_keyboard_only(tab: Tab, site: ScriptedServer) -> None:
    page = tab.page
    tab.open()
    keyboard = page.keyboard
    # The key field has focus from the start; Enter signs in.
    assert page.evaluate("document.activeElement.id") == "api-key"
    keyboard.type(tab.api_key)
    keyboard.press("Enter")
    page.get_by_role("heading", name="Links", exact=True).wait_for()
    focus_on(tab, "view-title")

    # Tab order follows the page: the add form comes before the filters and the list.
    order = press_tab_until(tab, "URLs to watch")
    labels = [item["label"] or item["text"] for item in order]
    assert "State" not in labels
    keyboard.type(site.url("/guide"))
    press_tab_until(tab, "Tags (optional)")
    keyboard.type("keyboard")
    press_tab_until(tab, "Add links")
    keyboard.press("Enter")
    page.locator(".outcome").get_by_text("1 added").wait_for()
    # Only this test's link: filtered by its tag, Enter in the field applies the filter.
    press_tab_until(tab, "Tag")
    keyboard.type("keyboard")
    keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="tag: keyboard").wait_for()

    guide = card(tab, site.url("/guide"))
    guide.wait_for()
    press_tab_until(tab, "Check now")
    keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Checked").wait_for()
    guide.locator(".badge-ok").wait_for()

    # Delete: the dialog opens on Cancel; Escape closes it and gives focus back.
    press_tab_until(tab, "Delete")
    keyboard.press("Enter")
    page.get_by_role("dialog").wait_for()
    assert page.evaluate("document.activeElement.id") == "confirm-no"
    keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")
    assert page.evaluate(FOCUSED)["text"].startswith("Delete")
    keyboard.press("Enter")
    page.get_by_role("dialog").wait_for()
    keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "confirm-yes"
    keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Deleted").wait_for()
    guide.wait_for(state="detached")

    # The views are reachable too: Tab to a tab of the navigation, Enter opens it.
    keyboard.press("Shift+Tab")  # from wherever focus is, back up into the page
    page.locator("#tabs a[data-tab=audits]").focus()
    keyboard.press("Enter")
    page.get_by_role("heading", name="Audits", exact=True).wait_for()
    focus_on(tab, "view-title")
    press_tab_until(tab, "Page or site to audit")
    tab.screenshot("keyboard")


HOSTILE_TAGS = ['"><img src=x onerror=alert(1)>', "<script>alert(2)</script>"]


def test_hostile_values_render_as_text_and_never_run(
    tab: Tab, dev_stack: DevStack, site: ScriptedServer
) -> None:
    payload = '"><img src=x onerror=alert(3)><script>alert(4)</script>'
    site.route(
        "/hostile",
        Reply(302, {"location": "/landing?x=" + payload.replace(" ", "%20")}, b""),
    )
    site.route("/landing", page_reply("<title><script>alert(5)</script></title>", 404))
    with tab.api() as api:
        created = api.post(
            "/links",
            json={"url": site.url("/hostile?q=" + payload), "tags": HOSTILE_TAGS},
        )
        assert created.status_code == 201, created.text
        link = created.json()
        checked = api.post(f"/links/{link['id']}/check")
        assert checked.status_code == 200, checked.text
        result = checked.json()["result"]
    assert result["redirects"], result

    page = tab.page
    tab.sign_in()
    shown = card(tab, link["url"])
    shown.wait_for()
    shown.get_by_text(", ".join(HOSTILE_TAGS), exact=False).wait_for()
    shown.get_by_role("link", name="Details").click()
    page.get_by_role("heading", name="Redirect chain (1 redirect)").wait_for()
    chain = page.locator("ol.chain")
    assert chain.get_by_role("link", name=result["final_url"], exact=True).count() == 1
    page.get_by_text(result["detail"], exact=True).first.wait_for()
    tab.screenshot("hostile")

    # Nothing was injected and nothing ran: no image, one script (the page's own), no dialog,
    # no error in the console (a script blocked by the CSP would say so there).
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1
    assert page.evaluate("document.querySelectorAll('[onerror]').length") == 0
    assert not tab.dialogs
    assert not [e for e in tab.console_errors if not e.startswith("Failed to load resource")]
