"""The "Statistiques" tab: daily rollups (written by transition.lua as comments move) turned into figures and
server-rendered SVG shapes. Pure: the store reads the rollups, this file only counts and draws."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# What the stacked bars show, bottom to top: (rollup field, CSS class)
OUTCOMES = (("approved:hand", "approved"), ("approved:auto", "approved-auto"), ("rejected:hand", "rejected"),
            ("spam:hand", "spam"), ("spam:auto", "spam-auto"))
WIDTH, HEIGHT, PAD = 720, 200, 30


@dataclass(frozen=True)
class Shape:
    """One SVG rectangle or point, in the chart's own coordinates, with what it means (its <title>)."""

    x: float
    y: float
    w: float
    h: float
    kind: str
    title: str


@dataclass
class Dashboard:
    days: list[str]
    totals: dict[str, int]
    bars: list[Shape] = field(default_factory=list)
    depth: list[tuple[float, float]] = field(default_factory=list)  # polyline points
    depth_max: int = 0
    delay_median: float | None = None
    delay_p90: float | None = None
    delays: list[Shape] = field(default_factory=list)
    peak: int = 0
    labels: list[tuple[float, str]] = field(default_factory=list)  # x, day label under the bars

    @property
    def points(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.depth)


def last_days(today: dt.date, count: int) -> list[str]:
    return [(today - dt.timedelta(days=count - 1 - i)).isoformat() for i in range(count)]


def delay_quantile(histogram: dict[int, int], q: float) -> float | None:
    """The ``q`` quantile of decision delays, in seconds, from a log2 histogram (bucket b holds [2^b, 2^(b+1)) s):
    the bucket's geometric middle, so within a factor of 1.42 of the truth, at a bounded cost."""
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= q * total:
            return float(2 ** (bucket + 0.5))
    return None  # pragma: no cover - the loop always reaches q * total


def build(rollups: dict[str, dict[str, int]], day: str = "j") -> Dashboard:
    """The figures and shapes of the days given (oldest first); ``day``: how the language abbreviates a day."""
    days = list(rollups)
    totals: dict[str, int] = {}
    for counts in rollups.values():
        for name, value in counts.items():
            if not name.startswith("depth:"):
                totals[name] = totals.get(name, 0) + value
    board = Dashboard(days, totals)
    _bars(board, rollups)
    _depth(board, rollups)
    histogram = {int(name[6:]): value for name, value in totals.items() if name.startswith("delay:") and value > 0}
    board.delay_median, board.delay_p90 = delay_quantile(histogram, 0.5), delay_quantile(histogram, 0.9)
    most = max(histogram.values(), default=0)
    width = (WIDTH - 2 * PAD) / 24
    board.delays = [Shape(PAD + b * width, HEIGHT - PAD - (HEIGHT - 2 * PAD) * n / most, width - 2,
                          (HEIGHT - 2 * PAD) * n / most, "delay",
                          f"{human(2 ** b, day)} – {human(2 ** (b + 1), day)} : {n}")
                    for b, n in sorted(histogram.items()) if 0 <= b < 24]
    return board


def delay_ticks(day: str = "j") -> list[tuple[float, str]]:
    """Where the delay chart names its buckets: 1 s, about a minute, an hour, a day, a month."""
    width = (WIDTH - 2 * PAD) / 24
    return [(PAD + b * width + width / 2, human(2 ** b, day)) for b in (0, 6, 12, 17, 22)]


def _bars(board: Dashboard, rollups: dict[str, dict[str, int]]) -> None:
    peak = max((sum(max(0, c.get(f, 0)) for f, _ in OUTCOMES) for c in rollups.values()), default=0)
    board.peak = peak
    if not rollups:
        return
    step = (WIDTH - 2 * PAD) / len(rollups)
    for i, (day, counts) in enumerate(rollups.items()):
        y = float(HEIGHT - PAD)
        for name, kind in OUTCOMES:
            n = max(0, counts.get(name, 0))
            if not n:
                continue
            h = (HEIGHT - 2 * PAD) * n / peak
            y -= h
            board.bars.append(Shape(PAD + i * step + 1, y, max(1.0, step - 2), h, kind, f"{day} : {n}"))
        if i % max(1, len(rollups) // 6) == 0:
            board.labels.append((PAD + i * step + step / 2, day[5:]))


def _depth(board: Dashboard, rollups: dict[str, dict[str, int]]) -> None:
    """The waiting queue's depth, hour by hour, each hour without a change keeping the last level seen."""
    levels: list[int] = []
    last, sampled = 0, False
    for counts in rollups.values():
        for hour in range(24):
            if f"depth:{hour:02d}" in counts:
                last, sampled = counts[f"depth:{hour:02d}"], True
            levels.append(last)
    board.depth_max = max(levels, default=0)
    if not sampled:
        return
    step = (WIDTH - 2 * PAD) / max(1, len(levels) - 1)
    scale = max(1, board.depth_max)
    board.depth = [(PAD + i * step, HEIGHT - PAD - (HEIGHT - 2 * PAD) * level / scale)
                   for i, level in enumerate(levels)]


def human(seconds: float, day: str = "j") -> str:
    """A duration as people say it: 40 s, 3 min, 2 h, 4 j (``day``: the language's abbreviation)."""
    if seconds < 90:
        return f"{round(seconds)} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 36 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} {day}"


def share(part: int, whole: int) -> int | None:
    return None if whole <= 0 else round(100 * part / whole)


def summary(board: Dashboard) -> dict[str, Any]:
    """The headline figures: automatic vs by hand, for spam and for toxicity."""
    t = board.totals
    spam_auto, spam_hand = t.get("spam:auto", 0), t.get("spam:hand", 0)
    flagged, missed = t.get("toxic:flagged", 0), t.get("toxic:missed", 0)
    decided = sum(t.get(f"{s}:hand", 0) for s in ("approved", "rejected", "spam"))
    return {"spam_auto": spam_auto, "spam_hand": spam_hand, "spam_auto_share": share(spam_auto, spam_auto + spam_hand),
            "toxic_flagged": flagged, "toxic_missed": missed, "toxic_flagged_share": share(flagged, flagged + missed),
            "decided": decided, "auto": sum(t.get(f"{s}:auto", 0) for s in ("approved", "spam")),
            "median": board.delay_median, "p90": board.delay_p90}
