"""What anyone may check: the fairness commitment, the ledger, and verifying a campaign end to end."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from ..catalog.models import Campaign
from ..clock import Clock
from ..crypto import SecretBox
from ..errors import Forbidden
from . import ledger
from .publish import is_revealed
from .verify import Version, check_rules_hashes, verify


def fairness_document(campaign: Campaign, clock: Clock, secrets: SecretBox) -> dict[str, Any]:
    """``GET /c/<slug>/fairness``: the commitment, every rules version, and the seed once revealed."""
    revealed = is_revealed(campaign, clock.now())
    versions = [
        {"version": v.version, "from_seq": v.from_seq, "rules": json.loads(v.rules_json), "rules_hash": v.rules_hash}
        for v in campaign.rules_versions
    ]
    return {
        "server_seed_hash": campaign.server_seed_hash,
        "rules_hash": versions[0]["rules_hash"] if versions else None,
        "versions": versions,
        "revealed": revealed,
        "server_seed": secrets.open(campaign.server_seed_sealed) if revealed else None,
    }


def ledger_allowed(campaign: Campaign, clock: Clock, staff: bool) -> None:
    """Raise :class:`Forbidden` unless the ledger is public (revealed) or a staff member asks."""
    if not staff and not is_revealed(campaign, clock.now()):
        raise Forbidden("The ledger is published when the campaign ends.")


def ledger_jsonl(session: Session, campaign: Campaign):
    """The ledger as JSON lines, one draw per line, in ``seq`` order."""
    for line in ledger.public_lines(session, campaign.id):
        yield json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"


def versions_of(campaign: Campaign) -> list[Version]:
    """The campaign's rules versions in the verifier's form."""
    return [Version(v.version, v.from_seq, json.loads(v.rules_json)) for v in campaign.rules_versions]


def verify_campaign(session: Session, campaign: Campaign, secrets: SecretBox) -> int:
    """Replay the campaign's whole SQL ledger with its seed; return the draws checked or raise ``Mismatch``."""
    check_rules_hashes(
        (Version(v.version, v.from_seq, json.loads(v.rules_json)), v.rules_hash) for v in campaign.rules_versions
    )
    seed = secrets.open(campaign.server_seed_sealed)
    return verify(seed, campaign.server_seed_hash, versions_of(campaign), ledger.public_lines(session, campaign.id))
