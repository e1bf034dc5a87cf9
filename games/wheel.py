"""The lucky wheel: spins until the server answers, then lands on a segment of the awarded tier."""
from .registry import GameType, register

WHEEL = register(GameType(key="wheel", label="幸运大转盘", template="games/wheel.html", script="js/wheel.js"))
