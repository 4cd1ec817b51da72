"""Small bar charts as inline SVG, rendered on the server: no JavaScript, nothing from a CDN."""

import datetime

from django.utils.html import format_html, format_html_join

WIDTH, HEIGHT, GAP = 240, 48, 2


def shown(value: int, money: bool = False) -> str:
    """A figure as Indonesians write it: dots between thousands, "Rp" before money."""
    return f"Rp{value:,}".replace(",", ".") if money else f"{value:,}".replace(",", ".")


# Indonesian abbreviations of large rupiah amounts: juta (10^6), miliar (10^9), triliun (10^12).
UNITS = [(10**12, "T"), (10**9, "M"), (10**6, "jt")]


def shown_short(value: int, money: bool = False) -> str:
    """A figure short enough for a dashboard card: money from a million up as "Rp2,5 jt", "Rp1,2 M" (one decimal,
    rounded down, so that it never overstates); everything else as `shown`."""
    if money:
        for size, unit in UNITS:
            if abs(value) >= size:
                tenths = abs(value) * 10 // size
                whole, tenth = divmod(tenths, 10)
                sign = "-" if value < 0 else ""
                return f"{sign}Rp{whole:,}".replace(",", ".") + (f",{tenth}" if tenth else "") + f" {unit}"
    return shown(value, money)


def bar_chart_svg(points: list[tuple[datetime.date, int]], *, label: str, money: bool = False) -> str:
    """An SVG bar chart of `points` (day, value), oldest first, one bar per day scaled to the largest value, each
    with a tooltip (`<title>`). Returns safe HTML. Negative values are drawn as zero."""
    top = max((value for _, value in points), default=0) or 1
    step = WIDTH / max(len(points), 1)
    bars = []
    for index, (day, value) in enumerate(points):
        height = max(value, 0) / top * (HEIGHT - 2)
        bars.append(
            (
                f"{index * step:.1f}",
                f"{HEIGHT - height:.1f}",
                f"{max(step - GAP, 1):.1f}",
                f"{height:.1f}",
                f"{day:%d %b}: {shown(value, money)}",
            )
        )
    rects = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>', bars)
    return format_html(
        '<svg class="bo-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-label="{}, per day over the last {} days">'
        '<line x1="0" y1="{}" x2="{}" y2="{}" class="bo-axis"/>{}</svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        label,
        len(points),
        HEIGHT - 0.5,
        WIDTH,
        HEIGHT - 0.5,
        rects,
    )
