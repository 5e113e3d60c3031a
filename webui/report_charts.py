"""Charts drawn by the box: inline SVG markup, coloured by panel.css classes (the CSP allows
no inline style or script, and nothing is fetched from elsewhere)."""

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 640, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 8, 12, 34  # room for the axes' labels


def _frame(label: str, body: list[str], top_label: str) -> str:
    """The chart's <svg>, its axes and the largest value's label around `body`."""
    floor = HEIGHT - _BOTTOM
    return "".join(
        [
            f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
            f' aria-label={quoteattr(label)} xmlns="http://www.w3.org/2000/svg">',
            f"<title>{escape(label)}</title>",
            f'<line class="axis" x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{floor}"/>',
            f'<line class="axis" x1="{_LEFT}" y1="{floor}" x2="{WIDTH - _RIGHT}" y2="{floor}"/>',
            f'<text class="tick" x="{_LEFT - 4}" y="{_TOP + 10}" text-anchor="end">'
            f"{escape(top_label)}</text>",
            f'<text class="tick" x="{_LEFT - 4}" y="{floor}" text-anchor="end">0</text>',
            *body,
            "</svg>",
        ]
    )


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    """Labels under the slots, thinned so they never overlap."""
    every = max(1, round(len(labels) * 28 / (WIDTH - _LEFT - _RIGHT)))
    return [
        f'<text class="tick" x="{_LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - _BOTTOM + 16}"'
        f' text-anchor="middle">{escape(text)}</text>'
        for i, text in enumerate(labels)
        if i % every == 0
    ]


def bar_chart(label: str, labels: Sequence[str], values: Sequence[float], unit: str = "") -> str:
    """Bars of `values` over `labels` (one bar each), the largest filling the height."""
    if not labels:
        return ""
    top = max(max(values, default=0), 1)
    slot = (WIDTH - _LEFT - _RIGHT) / len(labels)
    floor, room = HEIGHT - _BOTTOM, HEIGHT - _BOTTOM - _TOP
    bars = []
    for i, (text, value) in enumerate(zip(labels, values, strict=True)):
        height = room * value / top
        bars.append(
            f'<rect class="bar" x="{_LEFT + slot * i + slot * 0.1:.1f}" y="{floor - height:.1f}"'
            f' width="{slot * 0.8:.1f}" height="{height:.1f}">'
            f"<title>{escape(f'{text}: {value:g}{unit}')}</title></rect>"
        )
    return _frame(label, bars + _x_labels(labels, slot), f"{top:g}{unit}")


def line_chart(label: str, labels: Sequence[str], values: Sequence[float | None]) -> str:
    """A line through the ratios `values` (0..1, shown as %), broken where one is None."""
    if not labels:
        return ""
    slot = (WIDTH - _LEFT - _RIGHT) / len(labels)
    floor, room = HEIGHT - _BOTTOM, HEIGHT - _BOTTOM - _TOP
    points, body = [], []
    for i, (text, value) in enumerate(zip(labels, values, strict=True)):
        if value is None:
            body.append(_polyline(points))
            points = []
            continue
        x, y = _LEFT + slot * (i + 0.5), floor - room * value
        points.append(f"{x:.1f},{y:.1f}")
        body.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="3">'
            f"<title>{escape(f'{text}: {value:.0%}')}</title></circle>"
        )
    body.append(_polyline(points))
    return _frame(label, body + _x_labels(labels, slot), "100%")


def _polyline(points: list[str]) -> str:
    return f'<polyline class="line" points="{" ".join(points)}"/>' if len(points) > 1 else ""
