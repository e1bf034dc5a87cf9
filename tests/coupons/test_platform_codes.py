"""Platform codes end to end: generated or uploaded, pooled in Redis, shown as text and QR, redeemed once."""

from __future__ import annotations

import math
import struct
import zlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaigns.clock import to_ms
from campaigns.coupons import platform_codes
from campaigns.coupons.models import CouponCode
from campaigns.coupons.qr import matrix
from campaigns.coupons.services import add_codes, coupon_states, expire_due
from campaigns.errors import InvalidInput
from campaigns.events import append
from campaigns.keys import CampaignKeys
from extensions import db
from tests.factories import NOW

from .conftest import log_in_staff

pytestmark = pytest.mark.clock


def test_generated_codes_are_unguessable_and_free_of_look_alikes():
    codes = platform_codes.generate(2000)
    assert len(set(codes)) == 2000
    assert platform_codes.LENGTH * math.log2(len(platform_codes.ALPHABET)) >= 60
    assert not set("".join(codes)) & set("01ILOU")
    assert set("".join(codes)) == set(platform_codes.ALPHABET)


def test_typed_codes_are_normalised_but_uploaded_ones_keep_their_case():
    assert platform_codes.normalize(" k7qx-9mzp abcde ") == "K7QX9MZPABCDE"
    assert platform_codes.normalize("Shop-2026-ab") == "Shop2026ab"
    assert platform_codes.parse_upload('code\nABC-123456\n\n"xyz_987654",note\n') == ["ABC-123456", "xyz_987654"]
    with pytest.raises(InvalidInput):
        platform_codes.parse_upload("ABC123456\nABC123456\n")
    with pytest.raises(InvalidInput):
        platform_codes.parse_upload("bad code!\n")


def test_codes_added_to_a_live_campaign_go_into_its_redis_pool(ctx, code_tier):
    codes = platform_codes.generate(20)
    assert add_codes(ctx, code_tier, codes) == codes
    pool = CampaignKeys(code_tier.campaign_id).codes("coffee")
    assert sorted(ctx.redis.lrange(pool, 0, -1)) == codes
    with pytest.raises(InvalidInput):
        add_codes(ctx, code_tier, codes[:1])
    assert ctx.redis.llen(pool) == 20


def png_modules(data: bytes, scale: int = 8) -> list[list[bool]]:
    """Decode the greyscale PNG back into QR modules (dark = True)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = struct.unpack(">I", data[16:20])[0]
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width + 1
    rows = [raw[r * stride + 1 : (r + 1) * stride] for r in range(width)]
    return [[rows[y][x] == 0 for x in range(0, width, scale)] for y in range(0, width, scale)]


def test_a_won_code_travels_from_the_pool_to_the_store(client, ctx, code_tier, store, operator):
    add_codes(ctx, code_tier, platform_codes.generate(3))
    code = ctx.redis.lpop(CampaignKeys(code_tier.campaign_id).codes("coffee"))  # the draw engine's pop
    coupon = db.session.scalar(select(CouponCode).where(CouponCode.code == code))
    coupon.state, coupon.openid, coupon.draw_seq, coupon.issued_at = "issued", "o-winner", 7, NOW
    db.session.commit()
    campaign = code_tier.campaign
    base = f"/c/{campaign.slug}/coupons/{code}"

    assert client.get(base).status_code == 401
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-someone-else"
    assert client.get(base).status_code == 404
    assert client.get(base + ".png").status_code == 404
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-winner"
    view = client.get(base).json
    assert view | {"code": code, "kind": "code", "state": "issued", "next_step": "show_in_store"} == view
    image = client.get(base + ".png")
    assert image.mimetype == "image/png" and "no-store" in image.headers["Cache-Control"]
    # The QR holds the code and nothing else (no openid).
    assert png_modules(image.data) == matrix(code)

    log_in_staff(client, operator)
    assert client.post("/redeem/confirm", json={"code": code.lower(), "store_id": store.id}).status_code == 200
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-winner"
    assert client.get(base).json["state"] == "redeemed"
    assert client.get(base).json["next_step"] == "none"
    assert coupon_states(db.session, [code, "NOT-A-CODE"], ctx.clock) == {code: "redeemed"}


def test_unused_coupons_past_their_dates_read_as_expired(ctx, clock, code_tier):
    add_codes(ctx, code_tier, ["EXPIRING0001"])
    coupon = db.session.scalar(select(CouponCode))
    coupon.state, coupon.openid = "issued", "o-winner"
    db.session.commit()
    assert coupon_states(db.session, ["EXPIRING0001"], clock) == {"EXPIRING0001": "issued"}
    clock.advance(days=8)
    assert coupon_states(db.session, ["EXPIRING0001"], clock) == {"EXPIRING0001": "expired"}
    assert code_tier.valid_until < clock.now() - timedelta(hours=1)
    assert expire_due(ctx) == 1
    db.session.expire_all()
    assert coupon.state == "expired"
    assert expire_due(ctx) == 0


def test_a_win_not_yet_in_the_ledger_is_already_the_winners(client, ctx, code_tier):
    add_codes(ctx, code_tier, platform_codes.generate(2))
    campaign = code_tier.campaign
    code = ctx.redis.lpop(CampaignKeys(campaign.id).codes("coffee"))
    # The draw script's stream entry; the worker has not written the ledger yet.
    append(
        ctx.redis,
        campaign.id,
        "draw",
        "o-winner",
        to_ms(NOW),
        event_id="draw:5",
        seq=5,
        code=code,
        awarded_tier="coffee",
    )
    base = f"/c/{campaign.slug}/coupons/{code}"
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-someone-else"
    assert client.get(base).status_code == 404
    with client.session_transaction() as session:
        session[f"follower:{campaign.account_id}"] = "o-winner"
    assert client.get(base).json["state"] == "issued"
    coupon = db.session.scalar(select(CouponCode).where(CouponCode.code == code))
    assert (coupon.state, coupon.openid, coupon.draw_seq, coupon.issued_at) == ("issued", "o-winner", 5, NOW)


def test_the_periodic_expiry_job_records_expired_coupons(ctx, clock, code_tier):
    from campaigns import tasks

    add_codes(ctx, code_tier, ["EXPIRING0002"])
    coupon = db.session.scalar(select(CouponCode))
    coupon.state, coupon.openid = "issued", "o-winner"
    db.session.commit()
    clock.advance(days=8)

    assert tasks.expire_coupons() == 1

    db.session.expire_all()
    assert coupon.state == "expired"
