"""Small SVG charts drawn on the server: no script, nothing fetched, readable at any width."""

from __future__ import annotations

from html import escape

from markupsafe import Markup


def _fmt(value: float) -> str:
    whole = abs(value) >= 100 or float(value).is_integer()
    return f"{value:,.0f}" if whole else f"{value:,.2f}"


def column_chart(points: list[tuple[str, float]], *, title: str, height: int = 220) -> Markup:
    """Vertical bars, one per point (e.g. revenue per day); every few labels shown."""
    width, left, bottom, top = 720, 48, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max((v for _, v in points), default=0.0) or 1.0
    step = plot_w / max(len(points), 1)
    every = max(1, len(points) // 8)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        'stroke="#dde3ea"/>',
        f'<text x="{left - 6}" y="{top + 8}" text-anchor="end">{_fmt(peak)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for index, (label, value) in enumerate(points):
        bar_h = plot_h * max(value, 0.0) / peak
        x = left + index * step + step * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{top + plot_h - bar_h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{bar_h:.1f}">'
            f"<title>{escape(label)}: {_fmt(value)}</title></rect>"
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{height - 8}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar_chart(points: list[tuple[str, float]], *, title: str, width: int = 720) -> Markup:
    """Horizontal bars with their labels and values (e.g. revenue per store); a narrower
    ``width`` suits a half-width panel (the text keeps a readable size)."""
    row_h, label_w = 28, min(200, width // 3)
    height = max(len(points), 1) * row_h + 8
    peak = max((v for _, v in points), default=0.0) or 1.0
    plot_w = width - label_w - 90
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(points):
        y = 4 + index * row_h
        bar_w = plot_w * max(value, 0.0) / peak
        limit = label_w // 7
        short = label if len(label) <= limit else label[: limit - 1] + "…"
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(short)}</text>'
            f'<rect class="bar" x="{label_w}" y="{y + 4}" width="{bar_w:.1f}" '
            f'height="{row_h - 10}">'
            f"<title>{escape(label)}: {_fmt(value)}</title></rect>"
            f'<text x="{label_w + bar_w + 6:.1f}" y="{y + 17}">{_fmt(value)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
