"""The verifier: replay a whole ledger from the revealed seed, the rules versions and the ledger alone.

It shares only the pure functions of :mod:`fairness` with the engine, never the Lua
script, and replays stock, daily caps, winning moments and win limits in ``seq``
order, as an outside verifier following docs/fairness.md would.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import fairness


class Mismatch(Exception):
    """The first ledger line that does not recompute; ``seq`` names it."""

    def __init__(self, seq: int, message: str):
        super().__init__(f"seq {seq}: {message}")
        self.seq = seq


@dataclass
class Version:
    """One published rules version: its number, first seq and document."""

    version: int
    from_seq: int
    rules: dict


@dataclass
class _Replay:
    awarded: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    awarded_day: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    wins: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    nonces: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    moments: dict[str, list[int]] = field(default_factory=dict)


def _version_for(versions: Sequence[Version], seq: int) -> Version:
    governing = [v for v in versions if v.from_seq <= seq]
    if not governing:
        raise Mismatch(seq, "no rules version governs this seq")
    return max(governing, key=lambda v: v.from_seq)


def _released_left(replay: _Replay, seed: str, rules: dict, prize: dict, ts: int) -> int:
    """Units of a ``moments`` tier released by ``ts`` and not yet awarded."""
    tier = prize["tier"]
    instants = replay.moments.get(tier, [])
    if len(instants) != prize["stock"]:
        start, end = fairness.parse_iso_ms(rules["start"]), fairness.parse_iso_ms(rules["end"])
        instants = sorted(fairness.moments(seed, tier, prize["stock"], start, end))
        replay.moments[tier] = instants
    return bisect.bisect_right(instants, ts) - replay.awarded[tier]


def expected(replay: _Replay, seed: str, rules: dict, line: dict) -> tuple[str, str, str | None]:
    """The (drawn, awarded, reason) that the rules give for one ledger line, given the replay so far."""
    prizes, fallback = rules["prizes"], rules["fallback_tier"]
    ts = fairness.parse_iso_ms(line["ts"])
    player, day = line["player"], fairness.local_day(rules["timezone"], ts)
    wins_total = rules["limits"]["wins_total"]
    under_wins = wins_total is None or replay.wins[player] < wins_total
    if under_wins:
        for prize in prizes:
            if (
                prize["tier"] != fallback
                and prize["release"] == "moments"
                and _released_left(replay, seed, rules, prize, ts) > 0
            ):
                return prize["tier"], prize["tier"], "moment"
    drawn = fairness.drawn_tier(seed, line["client_seed"], line["nonce"], prizes)
    if drawn == fallback:
        return drawn, drawn, None
    prize = next(p for p in prizes if p["tier"] == drawn)
    release = prize["release"]
    if release == "moments":
        left = _released_left(replay, seed, rules, prize, ts) > 0
    else:
        left = replay.awarded[drawn] < prize["stock"]
    if not left:
        return drawn, fallback, "out_of_stock"
    if isinstance(release, dict) and replay.awarded_day[(day, drawn)] >= release["per_day"]:
        return drawn, fallback, "daily_limit"
    if not under_wins:
        return drawn, fallback, "player_win_limit"
    return drawn, drawn, None


def _check_line(replay: _Replay, seed: str, version: Version, line: dict, seq: int) -> None:
    rules = version.rules
    if line["seq"] != seq:
        raise Mismatch(seq, f"expected seq {seq}, found {line['seq']} (a gap or a duplicate)")
    if line["rules_version"] != version.version:
        raise Mismatch(seq, f"rules_version {line['rules_version']} but version {version.version} governs it")
    ts = fairness.parse_iso_ms(line["ts"])
    if not fairness.parse_iso_ms(rules["start"]) <= ts < fairness.parse_iso_ms(rules["end"]):
        raise Mismatch(seq, f"ts {line['ts']} is outside the campaign")
    if not fairness.valid_client_seed(line["client_seed"]):
        raise Mismatch(seq, "client_seed is not 1-64 characters of [A-Za-z0-9_-]")
    if line["nonce"] != replay.nonces[line["player"]]:
        raise Mismatch(seq, f"nonce {line['nonce']} but the player's draws so far are {replay.nonces[line['player']]}")
    want = expected(replay, seed, rules, line)
    got = (line["drawn_tier"], line["awarded_tier"], line["reason"])
    if got != want:
        raise Mismatch(seq, f"recorded drawn/awarded/reason {got}, recomputed {want}")


def _apply(replay: _Replay, rules: dict, line: dict) -> None:
    awarded = line["awarded_tier"]
    day = fairness.local_day(rules["timezone"], fairness.parse_iso_ms(line["ts"]))
    replay.awarded[awarded] += 1
    replay.awarded_day[(day, awarded)] += 1
    replay.nonces[line["player"]] += 1
    if awarded != rules["fallback_tier"]:
        replay.wins[line["player"]] += 1


def verify(server_seed: str, server_seed_hash: str, versions: Iterable[Version], ledger: Iterable[dict]) -> int:
    """Recompute every ledger line in ``seq`` order; return how many were checked, or raise :class:`Mismatch`."""
    if fairness.seed_hash(server_seed) != server_seed_hash:
        raise Mismatch(0, "the revealed server seed does not match server_seed_hash")
    versions = sorted(versions, key=lambda v: v.from_seq)
    replay = _Replay()
    count = 0
    for count, line in enumerate(ledger, start=1):
        version = _version_for(versions, count)
        _check_line(replay, server_seed, version, line, count)
        _apply(replay, version.rules, line)
    return count


def check_rules_hashes(versions: Iterable[tuple[Version, str]]) -> None:
    """Raise :class:`Mismatch` when a published rules document does not hash to its ``rules_hash``."""
    for version, published_hash in versions:
        if fairness.rules_hash(version.rules) != published_hash:
            raise Mismatch(version.from_seq, f"rules version {version.version} does not match its rules_hash")
