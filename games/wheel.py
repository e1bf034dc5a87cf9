"""The lucky wheel: spins until the server answers, then lands on a segment of the awarded tier."""

from flask_babel import lazy_gettext as _l

from .registry import GameType, register

MIN_SEGMENTS = 6


def wheel_segments(tiers: list[dict]) -> list[str]:
    """The tier of each wheel segment, clockwise from the top: prizes in order, each followed by the fallback.

    The pattern repeats until the wheel has at least :data:`MIN_SEGMENTS`, so the fallback (and small
    prize tables) get several segments and the landing segment of a tier can vary.
    """
    prizes = [t["tier"] for t in tiers if not t["fallback"]]
    fallback = [t["tier"] for t in tiers if t["fallback"]]
    pattern: list[str] = []
    for tier in prizes:
        pattern += [tier, *fallback]
    pattern = pattern or fallback
    if not pattern:
        return []
    segments = list(pattern)
    while len(segments) < MIN_SEGMENTS:
        segments += pattern
    return segments


WHEEL = register(
    GameType(
        key="wheel",
        label=_l("Lucky wheel"),
        template="games/wheel.html",
        script="js/wheel.js",
        style="css/wheel.css",
        preview="wheel",
        extra=lambda tiers: {"segments": wheel_segments(tiers)},
    )
)
