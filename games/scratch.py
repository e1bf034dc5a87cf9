"""The scratch card: a canvas cover over the result the server already decided."""

from flask_babel import lazy_gettext as _l

from .registry import GameType, register

SCRATCH = register(
    GameType(
        key="scratch",
        label=_l("Scratch card"),
        template="games/scratch.html",
        script="js/scratch.js",
        style="css/scratch.css",
    )
)
