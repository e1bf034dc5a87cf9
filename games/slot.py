"""老虎机, the slot machine: three reels that line up the awarded tier's symbol.

Each prize tier has a symbol; the fallback has none, and three blank symbols stand beside the
prizes. A loss stops on three different symbols, none of them the top prize's: never the two
top symbols and a third just off (a near miss, which some regulators forbid because it makes
a loss feel like almost winning). The reel window shows the pay line only, so no top symbol
sits just above or below it either.
"""

from flask_babel import lazy_gettext as _l

from .registry import GameType, register

BLANKS = ("blank-1", "blank-2", "blank-3")
MAX_TIERS = 8


def slot_symbols(tiers: list[dict]) -> dict:
    """The reels' symbols (the prize tiers in order, then the blanks) and the top prize's tier."""
    prizes = [t["tier"] for t in tiers if not t["fallback"]]
    return {"symbols": [*prizes, *BLANKS], "top": prizes[0] if prizes else None}


def loss_line_allowed(line: list[str], top: str | None) -> bool:
    """Whether a loss may show ``line``: three different symbols and none the top prize's."""
    return len(set(line)) == len(line) == 3 and top not in line


SLOT = register(
    GameType(
        key="slot",
        label=_l("Slot machine"),
        template="games/slot.html",
        script="js/slot.js",
        style="css/slot.css",
        extra=slot_symbols,
        max_tiers=MAX_TIERS,
    )
)
