"""What every journey does: sign in, read the page in the reader's language, take
screenshots at a phone's and a desk's size, and run axe-core on the page."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "parkwell-demo"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
BLOCKING = {"serious", "critical"}


@cache
def _catalogue() -> dict[str, str]:
    path = ROOT / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    # Without a context only: "Closed" (a day) is not "Closed" in the campaign-status context.
    return {m.id: m.string for m in catalogue
            if isinstance(m.id, str) and m.string and not m.context}


def zh(msgid: str) -> str:
    """The Chinese the page shows for ``msgid`` (the catalogue's own translation, so that
    a reworded translation does not break a journey)."""
    return _catalogue().get(msgid, msgid)


def exact(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def menu(page: Page, name: str, *, main: str = "Main"):
    """A place of the navigation: a tab, or else a link on the "me" page (the last tab),
    where every other place of the role is one tap away."""
    tabs = page.get_by_role("navigation", name=main)
    tab = tabs.get_by_role("link", name=name, exact=True)
    if tab.count():
        return tab
    tabs.get_by_role("link").last.click()
    return page.locator("main").get_by_role("link", name=name, exact=True)


def sign_in(page: Page, login: str, *, label: str = "Email or mobile number",
            password_label: str = "Password", button: str = "Sign in") -> None:
    page.goto("/login")
    page.get_by_label(label).fill(login)
    page.get_by_label(password_label, exact=True).fill(PASSWORD)
    page.locator("main").get_by_role("button", name=button).click()
    page.wait_for_load_state()


def sign_in_zh(page: Page, login: str) -> None:
    sign_in(page, login, label=zh("Email or mobile number"), password_label=zh("Password"),
            button=zh("Sign in"))


class Evidence:
    """Screenshots and accessibility checks of one journey's key pages."""

    def __init__(self, page: Page, folder: Path, journey: str, axe_source: str) -> None:
        self.page, self.folder, self.journey, self.axe = page, folder, journey, axe_source
        self.checked: list[str] = []

    def capture(self, name: str) -> None:
        """Save the page at 390×844 and 1280×800 and check it with axe-core (no serious or
        critical violation), then put the window back as it was."""
        page = self.page
        before = page.viewport_size
        for label, size in (("390x844", PHONE), ("1280x800", DESK)):
            page.set_viewport_size(size)
            page.screenshot(path=self.folder / f"{self.journey}-{name}-{label}.png",
                            full_page=True)
        page.set_viewport_size(before)
        self.check_accessibility(name)
        if len(self.checked) == 1:
            self.check_keyboard(name)

    def check_keyboard(self, name: str) -> None:
        """From the top of the page the first Tab reaches the skip link, which shows a
        visible focus ring and takes the keyboard to the page's content."""
        page = self.page
        page.evaluate("window.scrollTo(0, 0); document.activeElement?.blur()")
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const el = document.activeElement;
            const s = getComputedStyle(el);
            return {href: el.getAttribute('href'), outline: s.outlineStyle,
                    width: parseFloat(s.outlineWidth), left: el.getBoundingClientRect().left}; }""")
        assert focused["href"] == "#main", f"{name}: the first Tab reaches {focused}"
        assert focused["outline"] != "none" and focused["width"] >= 2, focused
        assert focused["left"] >= 0, "the focused skip link is on screen"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"

    def check_accessibility(self, name: str) -> None:
        page = self.page
        lang = page.evaluate("document.documentElement.lang")
        assert lang, f"{name}: <html> has no lang"
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.axe)  # through the DevTools protocol: no CSP applies
        result = page.evaluate(
            """async () => await axe.run(document, {resultTypes: ['violations'],
                 runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                  'best-practice']}})""")
        blocking = [v for v in result["violations"] if v.get("impact") in BLOCKING]
        summary = [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
                    "where": [n["target"] for n in v["nodes"][:5]]} for v in blocking]
        assert not summary, (f"{self.journey}/{name} ({page.url}): axe-core found "
                             + json.dumps(summary, ensure_ascii=False, indent=1))
        self.checked.append(name)
