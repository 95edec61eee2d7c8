"""Turning a workflow email and a contact's data into a subject, responsive HTML and plain text.

The body (the workflow's built-in template, or the portal's own ``bodyTemplate``) is rendered in
the sandbox (``sandbox``) and placed in the bridge's layout: a 600-pixel table that narrows on
phones, a header with the store's name and a footer with the unsubscribe link, which a custom
body cannot remove. The layout's CSS is then inlined into ``style`` attributes (mail clients drop
``<style>`` blocks; media queries are kept for those that honour them), and the text part is made
from the body's HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ecombridge.workflows.definitions import EmailStep
from ecombridge.workflows.html_text import html_to_text
from ecombridge.workflows.sandbox import (
    HTML_ENV,
    TEXT_ENV,
    TemplateProblem,
    compile_checked,
    render_checked,
)

TEMPLATES_DIR = Path(__file__).parent / "email_templates"
MAX_SUBJECT_CHARS = 998 - len("Subject: ")  # one header line (RFC 5322)

_layouts = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined
)
# No remote stylesheet is ever fetched: a template's <link> would make the bridge call out.
_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)

# What the variables look like, for checking templates when they are saved and for the docs.
SAMPLE: dict[str, Any] = {
    "contact": {
        "firstname": "Ada",
        "lastname": "Lovelace",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
    },
    "deal": {"name": "Order 1001", "amount": "$37.50", "order_number": "1001"},
    "cart": {
        "line_items": [
            {
                "name": "Enamel mug",
                "quantity": "2",
                "price": "$12.50",
                "amount": "$25.00",
                "image_url": "",
            },
            {
                "name": "Cap",
                "quantity": "1",
                "price": "$12.50",
                "amount": "$12.50",
                "image_url": "",
            },
        ],
        "total": "$37.50",
        "url": "https://shop.example.com/cart/recover/1001",
    },
    "store": {"name": "Demo Outfitters"},
    "portal": {"name": "Demo portal"},
    "unsubscribe_url": "https://bridge.example.com/email/unsubscribe/TOKEN",
}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


@cache
def builtin_body(key: str) -> str:
    """The source of a workflow's built-in body template."""
    return (TEMPLATES_DIR / f"{key}.html").read_text(encoding="utf-8")


@lru_cache(maxsize=256)  # the templates in use, not every draft ever previewed
def _compiled(source: str, html: bool) -> Any:
    return compile_checked(source, HTML_ENV if html else TEXT_ENV)


def check_subject(subject: str) -> None:
    """TemplateProblem unless the subject compiles and renders the sample data."""
    _subject(subject, _variables(SAMPLE, 1, ""))


def check_body(source: str) -> None:
    """TemplateProblem unless the body compiles, stays within the variables and renders the
    sample data."""
    render_checked(_compiled(source, True), _variables(SAMPLE, 1, "Subject"))


def render_email(key: str, step: EmailStep, number: int, data: dict[str, Any]) -> RenderedEmail:
    """Email ``number`` (1-based) of workflow ``key`` for ``data`` (the variables of
    ``SAMPLE``'s shape); TemplateProblem when the templates fail on this data."""
    subject = _subject(step.subject, _variables(data, number, ""))
    variables = _variables(data, number, subject)
    source = step.body_template if step.body_template and step.body_template.strip() else None
    body = render_checked(_compiled(source or builtin_body(key), True), variables)
    page = _layouts.get_template("layout.html").render(variables, content=Markup(body))
    text = html_to_text(body)
    text += f"\n--\nYou receive this email because you shopped at {data['store']['name']}.\n"
    text += f"Unsubscribe: {data['unsubscribe_url']}\n"
    return RenderedEmail(subject, _inliner.inline(page), text)


def _subject(source: str, variables: dict[str, Any]) -> str:
    subject = " ".join(render_checked(_compiled(source, False), variables).split())
    if not subject:
        raise TemplateProblem("renders an empty subject.")
    if len(subject) > MAX_SUBJECT_CHARS:
        raise TemplateProblem(f"renders more than {MAX_SUBJECT_CHARS} characters.")
    return subject


def _variables(data: dict[str, Any], number: int, subject: str) -> dict[str, Any]:
    cart = data["cart"]
    button = ""
    if cart["url"]:
        button = _layouts.get_template("button.html").render(
            url=cart["url"], label="Return to your cart"
        )
    return {
        **data,
        "email": {"number": number, "subject": subject},
        "cart_table": Markup(_layouts.get_template("cart_table.html").render(cart=cart)),
        "cart_button": Markup(button),
    }
