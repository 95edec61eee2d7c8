"""The sandbox custom templates run in, and the checks a template passes before it is saved.

Templates are Jinja2 in ``ImmutableSandboxedEnvironment``: no private attributes, no methods that
change data, ``range`` bounded. On top of that, a template is checked when saved: it must
compile, use only the documented variables (``VARIABLES``) and only their documented fields
(``FIELDS``), never ``attr``, ``include``, ``import`` or ``extends``, and render the sample data
without error. So an attempt to reach anything beyond the data given fails at save with a 400
naming the field and the problem, and is refused again at render time by the sandbox.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_TEMPLATE_CHARS = 100_000
MAX_OUTPUT_CHARS = 1_000_000
_MAX_REPEAT = 10_000

# Variables a template may use, and the fields of them (and of loop) it may read.
VARIABLES = (
    "contact",
    "deal",
    "cart",
    "store",
    "portal",
    "email",
    "unsubscribe_url",
    "cart_table",
    "cart_button",
)
FIELDS = frozenset(
    {
        # contact
        "firstname", "lastname", "name", "email",
        # deal and cart
        "amount", "order_number", "line_items", "total", "url",
        # a line item
        "quantity", "price", "image_url",
        # email
        "number", "subject",
        # loop
        "index", "index0", "revindex", "revindex0", "first", "last", "length", "cycle",
        "previtem", "nextitem", "changed", "depth", "depth0",
    }
)  # fmt: skip
_FORBIDDEN_NODES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


class TemplateProblem(Exception):
    """A template that cannot be used; the message says where and why."""


class EmailSandbox(ImmutableSandboxedEnvironment):
    """Bounds repetition (``'x' * 10**9``) besides what the sandbox already refuses."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, op: str, left: Any, right: Any) -> Any:
        if op == "**" and isinstance(right, int | float) and abs(right) > 100:
            raise SecurityError("exponents above 100 are not allowed in templates")
        if op == "*":
            for seq, times in ((left, right), (right, left)):
                sized = isinstance(seq, str | list | tuple) and isinstance(times, int)
                if sized and len(seq) * times > _MAX_REPEAT:
                    raise SecurityError("repeating text beyond 10,000 characters")
        return (operator.pow if op == "**" else operator.mul)(left, right)


def _environment(*, autoescape: bool) -> EmailSandbox:
    env = EmailSandbox(autoescape=autoescape, undefined=StrictUndefined)
    env.globals = {"range": env.globals["range"]}
    return env


HTML_ENV = _environment(autoescape=True)
TEXT_ENV = _environment(autoescape=False)  # subjects


def _line(node: nodes.Node) -> str:
    return f"line {node.lineno}: " if getattr(node, "lineno", None) else ""


def _check_tree(tree: nodes.Template, env: EmailSandbox) -> None:
    unknown = sorted(meta.find_undeclared_variables(tree) - set(VARIABLES) - set(env.globals))
    if unknown:
        raise TemplateProblem(
            f"unknown variable {unknown[0]!r}; the variables are {', '.join(VARIABLES)}."
        )
    for stmt in tree.find_all(_FORBIDDEN_NODES):
        raise TemplateProblem(f"{_line(stmt)}include, import and extends are not available.")
    for applied in tree.find_all(nodes.Filter):
        if applied.name == "attr":
            raise TemplateProblem(f"{_line(applied)}the attr filter is not available.")
    for access in tree.find_all((nodes.Getattr, nodes.Getitem)):
        if isinstance(access, nodes.Getattr):
            name: object = access.attr
        elif isinstance(access, nodes.Getitem) and isinstance(access.arg, nodes.Const):
            name = access.arg.value
        else:
            continue
        if isinstance(name, str) and (name.startswith("_") or name not in FIELDS):
            raise TemplateProblem(
                f"{_line(access)}{name!r} is not a field of the template variables; "
                "see the list of variables in docs/workflows.md."
            )


def compile_checked(source: str, env: EmailSandbox = HTML_ENV) -> Any:
    """The compiled template, or TemplateProblem: too long, a syntax error, or reaching
    beyond the documented variables."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateProblem(f"must be at most {MAX_TEMPLATE_CHARS:,} characters.")
    try:
        tree = env.parse(source)
        _check_tree(tree, env)
        return env.from_string(tree)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"line {exc.lineno}: {exc.message}") from None


def render_checked(template: Any, variables: Mapping[str, Any]) -> str:
    """Render in the sandbox; TemplateProblem for anything the template did wrong."""
    try:
        output = str(template.render(variables))
    except SecurityError as exc:
        raise TemplateProblem(f"not allowed: {exc}") from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError) as exc:
        raise TemplateProblem(f"fails to render: {exc}") from None
    if len(output) > MAX_OUTPUT_CHARS:
        raise TemplateProblem(f"renders more than {MAX_OUTPUT_CHARS:,} characters.")
    return output
