"""Store redemption: the staff's page (``counter``), and stores, staff links and refusals (``stores``).

One blueprint (``blueprint.py``), whose two page modules import it; neither imports the other.
"""

from . import counter, stores  # noqa: E402,F401,I001 - register the pages on the blueprint
from .blueprint import bp

__all__ = ["bp"]
