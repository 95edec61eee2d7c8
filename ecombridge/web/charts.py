"""Charts drawn on the server: SVG columns with rounded ticks and gridlines, and horizontal bars
as HTML rows (text stays legible at any width). No script, nothing fetched; each bar is
reachable by keyboard with its value as its name, and every chart has a table beside it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

Format = Callable[[float], str]


def nice_ticks(peak: float, count: int = 4) -> list[float]:
    """0 and rounded steps (1, 2, 2.5, 5 times 10^n) up to at least ``peak``."""
    if peak <= 0:
        return [0.0, 1.0]
    raw = peak / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    top = math.ceil(peak / step - 1e-9) * step
    return [i * step for i in range(round(top / step) + 1)]


@dataclass(frozen=True)
class Column:
    label: str  # on the axis
    name: str  # read out: the full date or name
    value: float


def column_chart(
    columns: list[Column],
    *,
    title: str,
    axis: Format,
    value: Format,
    width: int = 720,
    height: int = 240,
    labels: int = 8,
) -> Markup:
    """Vertical bars (e.g. revenue per day) over gridlines with formatted, rounded ticks."""
    ticks = nice_ticks(max((c.value for c in columns), default=0.0))
    tick_text = [axis(t) for t in ticks]
    left = 14 + 7 * max(len(t) for t in tick_text)
    top, bottom, right = 10, 26, 6
    plot_w, plot_h = width - left - right, height - top - bottom
    scale = plot_h / ticks[-1]
    step = plot_w / max(len(columns), 1)
    every = max(1, math.ceil(len(columns) / labels))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="group" aria-label="{escape(title)}" '
        'focusable="false">'
    ]
    for tick, text in zip(ticks, tick_text, strict=True):
        y = top + plot_h - tick * scale
        css = "axis-line" if tick == 0 else "grid-line"
        parts.append(
            f'<line class="{css}" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" aria-hidden="true">'
            f"{escape(text)}</text>"
        )
    for index, column in enumerate(columns):
        bar_h = max(column.value, 0.0) * scale
        x = left + index * step + step * 0.15
        parts.append(
            f'<rect class="bar" tabindex="0" role="img" '
            f'aria-label="{escape(column.name)}: {escape(value(column.value))}" '
            f'x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{bar_h:.1f}"><title>{escape(column.name)}: '
            f"{escape(value(column.value))}</title></rect>"
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{height - 8}" text-anchor="middle" '
                f'aria-hidden="true">{escape(column.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class BarRow:
    label: str
    value: float
    shown: str  # the value as text
    href: str | None = None


def bar_rows(rows: list[BarRow], *, title: str) -> Markup:
    """Horizontal bars as a list: label, bar, value; the bar is an SVG sized by attributes."""
    peak = max((r.value for r in rows), default=0.0) or 1.0
    items = []
    for row in rows:
        share = max(row.value, 0.0) / peak * 100
        label = escape(row.label)
        if row.href:
            label = f'<a href="{escape(row.href)}">{label}</a>'
        items.append(
            f'<li><span class="bar-label">{label}</span>'
            '<svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" '
            f'aria-hidden="true" focusable="false"><rect class="bar" width="{share:.2f}" '
            f'height="10" rx="1"/></svg><span class="bar-value">{escape(row.shown)}</span></li>'
        )
    return Markup(f'<ul class="bar-rows" aria-label="{escape(title)}">{"".join(items)}</ul>')
