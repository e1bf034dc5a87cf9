"""Whether the account's WeChat cards know a card_id, asked before a campaign is published.

A prize that is a WeChat card must name a card the Official Account really has, or no
winner could ever add it to their wallet; ``card/get`` answers for one card_id.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import requests
from wechatpy.exceptions import WeChatClientException

from ..catalog.models import OfficialAccount
from ..catalog.validation import CARD_UNCHECKED, CARD_UNKNOWN
from .client import client_for

# ``card/get`` answers 40073 (invalid card id) for a card the account does not have; some
# accounts see 40056 for the same mistake, so both mean "unknown".
UNKNOWN_CARD_ERRORS = frozenset({40073, 40056})


def card_trouble(services, account: OfficialAccount, card_ids: Collection[str]) -> dict[str, str]:
    """The card_ids WeChat does not know (``CARD_UNKNOWN``) or could not confirm (``CARD_UNCHECKED``).

    Card_ids WeChat knows are left out, so an empty answer means every card was found.
    """
    wanted = sorted({card_id for card_id in card_ids if card_id})
    if not wanted:
        return {}
    client = client_for(services, account)
    trouble: dict[str, str] = {}
    for index, card_id in enumerate(wanted):
        try:
            client.card.get(card_id)
        except WeChatClientException as exc:
            if exc.errcode in UNKNOWN_CARD_ERRORS:
                trouble[card_id] = CARD_UNKNOWN
                continue
            trouble[card_id] = CARD_UNCHECKED
        except (requests.RequestException, OSError, KeyError, ValueError):
            # WeChat is unreachable (or answered nonsense): nothing after this can be confirmed either.
            trouble.update({later: CARD_UNCHECKED for later in wanted[index:]})
            break
    return trouble


def checker(services) -> Callable[[OfficialAccount, Collection[str]], dict[str, str]]:
    """A card check bound to ``services``, for the publishing rules (``campaigns.staff.lifecycle``)."""
    return lambda account, card_ids: card_trouble(services, account, card_ids)
