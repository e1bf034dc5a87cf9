"""The scratch card: a canvas cover over the result the server already decided."""
from .registry import GameType, register

SCRATCH = register(GameType(key="scratch", label="刮刮卡", template="games/scratch.html", script="js/scratch.js"))
