"""Geometry of the dashboard's inline SVG charts (pure: numbers in, shapes out).

The web layer renders the shapes as ``<rect>``, ``<polyline>`` and ``<text>``; the numbers
behind every chart are also rendered as a table, for screen readers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 28


@dataclass
class Chart:
    """A chart ready to draw: bars, lines, axis ticks and day labels in SVG user units."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    ticks: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    bands: list[dict] = field(default_factory=list)
    zero_y: float = 0.0


def nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2 or 5 times a power of ten; at least 2 for counts)."""
    if value <= 0:
        return 2.0
    if value <= 2:
        return 2.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


class _Frame:
    """Maps day index and value to SVG coordinates."""

    def __init__(self, days: int, low: float, high: float, chart: Chart):
        self.days, self.low, self.high = max(days, 1), low, high
        self.plot_w = chart.width - LEFT - RIGHT
        self.plot_h = chart.height - TOP - BOTTOM

    def x(self, day: float) -> float:
        return round(LEFT + self.plot_w * day / self.days, 2)

    def y(self, value: float) -> float:
        return round(TOP + self.plot_h * (self.high - value) / (self.high - self.low), 2)

    @property
    def slot(self) -> float:
        return self.plot_w / self.days


def tick_values(low: float, high: float, percent: bool = False) -> list[float]:
    """The y-axis ticks: 0, the ends, and a middle only where it is a whole count (1 play: 0, 1, 2)."""
    if low < 0:
        return [0, low, high]
    if percent:
        return [0, high / 2, high]
    middle = high / 2
    if middle.is_integer():
        return [0, middle, high]
    return [float(v) for v in range(0, int(high) + 1)]


def _axes(chart: Chart, frame: _Frame, dates: list[str], percent: bool = False) -> None:
    for value in tick_values(frame.low, frame.high, percent):
        text = f"{value:.0%}" if percent else f"{value:,.0f}"
        # A small negative range would print its label on top of the zero line's.
        if all(abs(frame.y(value) - tick["y"]) >= 14 for tick in chart.ticks):
            chart.ticks.append({"y": frame.y(value), "text": text, "x1": LEFT, "x2": chart.width - RIGHT})
    step = max(1, math.ceil(len(dates) / 8))
    for i in range(0, len(dates), step):
        chart.labels.append({"x": round(frame.x(i + 0.5), 2), "y": chart.height - 8, "text": dates[i][5:]})
    chart.zero_y = frame.y(0)


def _bands(chart: Chart, frame: _Frame, shaded: list[bool]) -> None:
    """Shade days (weekends, or the tail after the campaign's end)."""
    for i, on in enumerate(shaded):
        if on:
            chart.bands.append({"x": frame.x(i), "y": TOP, "w": round(frame.slot, 2), "h": frame.plot_h})


def stacked_bars(dates: list[str], series: list[tuple[str, list[int]]], shaded: list[bool] | None = None) -> Chart:
    """Bars per day, the series stacked bottom-up in order (series index is the colour class)."""
    chart = Chart()
    totals = [sum(values[i] for _, values in series) for i in range(len(dates))]
    frame = _Frame(len(dates), 0, nice_max(max(totals, default=0)), chart)
    _bands(chart, frame, shaded or [])
    for i in range(len(dates)):
        base = 0
        for s, (name, values) in enumerate(series):
            if values[i]:
                top = base + values[i]
                chart.bars.append(
                    {
                        "x": round(frame.x(i) + frame.slot * 0.15, 2),
                        "y": frame.y(top),
                        "w": round(frame.slot * 0.7, 2),
                        "h": round(frame.y(base) - frame.y(top), 2),
                        "series": s,
                        "title": f"{dates[i]} {name}: {values[i]:,}",
                    }
                )
                base = top
    _axes(chart, frame, dates)
    return chart


def gain_chart(dates: list[str], up: list[int], down: list[int], running: list[int], tail: list[bool]) -> Chart:
    """Follows up, unfollows down, and the running net follower gain as a line; the tail days shaded."""
    chart = Chart()
    high = nice_max(max(up + [r for r in running if r > 0], default=0))
    low = -nice_max(max(down + [-r for r in running if r < 0], default=0))
    frame = _Frame(len(dates), low, high, chart)
    _bands(chart, frame, tail)
    for i in range(len(dates)):
        x, w = round(frame.x(i) + frame.slot * 0.15, 2), round(frame.slot * 0.7, 2)
        if up[i]:
            chart.bars.append(
                {
                    "x": x,
                    "y": frame.y(up[i]),
                    "w": w,
                    "h": round(frame.y(0) - frame.y(up[i]), 2),
                    "series": 0,
                    "title": f"{dates[i]} follows: {up[i]:,}",
                }
            )
        if down[i]:
            chart.bars.append(
                {
                    "x": x,
                    "y": frame.y(0),
                    "w": w,
                    "h": round(frame.y(-down[i]) - frame.y(0), 2),
                    "series": 1,
                    "title": f"{dates[i]} unfollows: {down[i]:,}",
                }
            )
    points = " ".join(f"{frame.x(i + 0.5)},{frame.y(v)}" for i, v in enumerate(running))
    chart.lines.append({"points": points, "series": 2, "name": "net follower gain, running total"})
    _axes(chart, frame, dates)
    return chart


def share_lines(dates: list[str], series: list[tuple[str, list[float | None]]]) -> Chart:
    """Lines of shares (0..1) per day; unknown values break the line."""
    chart = Chart()
    frame = _Frame(len(dates), 0, 1, chart)
    for s, (name, values) in enumerate(series):
        runs, run = [], []
        for i, value in enumerate(values):
            if value is None:
                runs, run = (runs + [run] if run else runs), []
            else:
                run.append(f"{frame.x(i + 0.5)},{frame.y(value)}")
        runs += [run] if run else []
        for points in runs:
            x, y = points[0].split(",")
            chart.lines.append(
                {
                    "points": " ".join(points),
                    "series": s,
                    "name": name,
                    "dot": {"cx": x, "cy": y} if len(points) == 1 else None,
                }
            )
    _axes(chart, frame, dates, percent=True)
    return chart


def channel_bars(names: list[str], values: list[int]) -> Chart:
    """One bar per channel from the zero line, up for a gain and down for a loss (the net follower gain)."""
    chart = Chart()
    high = nice_max(max([v for v in values if v > 0], default=0))
    low = -nice_max(max([-v for v in values if v < 0], default=0)) if any(v < 0 for v in values) else 0
    frame = _Frame(len(names), low, high, chart)
    for i, (name, value) in enumerate(zip(names, values, strict=True)):
        if value:
            top, bottom = frame.y(max(value, 0)), frame.y(min(value, 0))
            chart.bars.append(
                {
                    "x": round(frame.x(i) + frame.slot * 0.2, 2),
                    "y": top,
                    "w": round(frame.slot * 0.6, 2),
                    "h": round(bottom - top, 2),
                    "series": 0 if value > 0 else 1,
                    "title": f"{name}: {value:+,}",
                }
            )
    _axes(chart, frame, [])
    # Every channel is labelled by name, not by a date.
    chart.labels = [{"x": round(frame.x(i + 0.5), 2), "y": chart.height - 8, "text": n} for i, n in enumerate(names)]
    return chart


def sparkline(values: list[int], width: int = 160, height: int = 36) -> str:
    """Polyline points of a small line of daily values, for the comparison view."""
    if not values:
        return ""
    top = max(max(values), 1)
    step = width / max(len(values) - 1, 1)
    return " ".join(
        f"{round(i * step, 1)},{round(height - 2 - (height - 4) * v / top, 1)}" for i, v in enumerate(values)
    )
