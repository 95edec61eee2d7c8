"""The plain-text part of an email, from its HTML: blocks become lines, links keep their address.

Small and predictable on purpose: emails built from the bridge's templates are tables, headings,
paragraphs and links, and a reader of the text part needs their words and addresses, not their
layout.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "ul", "ol", "li",
    "blockquote", "section", "header", "footer", "hr",
}  # fmt: skip
_HIDDEN = {"style", "script", "head", "title"}
_CELLS = {"td", "th"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in _CELLS:
            self.parts.append("  ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))
            self.parts.append("\x00")  # where the link's text starts

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n" if tag in {"p", "h1", "h2", "h3", "table"} else "\n")
        elif tag == "a" and self.links:
            self._close_link(self.links.pop())

    def _close_link(self, href: str | None) -> None:
        start = len(self.parts) - 1 - self.parts[::-1].index("\x00")
        text = " ".join("".join(self.parts[start + 1 :]).split())
        del self.parts[start:]
        if href and href.startswith(("http://", "https://", "mailto:")) and href != text:
            text = f"{text}: {href}" if text else href
        self.parts.append(text)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    while collector.links:  # an <a> never closed
        collector._close_link(collector.links.pop())
    lines = [" ".join(line.split()) for line in "".join(collector.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
