"""Functions run in child processes by the concurrency tests (importable, so ``spawn`` can find them)."""

from __future__ import annotations

from campaigns.draws import engine
from campaigns.errors import CampaignError
from campaigns.redisconn import connect


def draw_many(
    url: str,
    campaign_id: int,
    seed: str,
    prizes: list[dict],
    fallback: str,
    plays: list[tuple[str, str]],
    at_ms: int | None,
) -> list[dict | str]:
    """Draw each (player, key) in order on a fresh connection; a refusal is recorded by its code."""
    redis = connect(url)
    fair = engine.Fairness(seed, tuple(prizes), fallback)
    out: list[dict | str] = []
    for player, key in plays:
        try:
            out.append(
                engine.run(
                    redis, campaign_id, fair, player=player, openid=f"openid-{player}", idempotency_key=key, at_ms=at_ms
                )
            )
        except CampaignError as exc:
            out.append(exc.code)
    return out
