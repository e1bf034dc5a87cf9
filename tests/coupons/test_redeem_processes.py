"""Exactly-once redemption when the confirmations come from separate processes (as from several web workers)."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from campaigns.coupons.models import Redemption
from extensions import db
from tests.factories import StaffFactory

from .conftest import won
from .redeem_worker import confirm_in_own_process

pytestmark = [pytest.mark.clock, pytest.mark.slow]
PROCESSES = 3


def test_one_coupon_confirmed_from_several_processes_is_redeemed_once(
    database_url, redis_server, clock, code_tier, store
):
    coupon = won(code_tier)
    staff = [StaffFactory(role="operator") for _ in range(PROCESSES)]
    db.session.commit()
    spawn = multiprocessing.get_context("spawn")
    answers = spawn.Queue()
    start = spawn.Barrier(PROCESSES)
    workers = [
        spawn.Process(
            target=confirm_in_own_process,
            args=(database_url, redis_server.url, clock.now(), coupon.code, store.id, member.id, start, answers),
        )
        for member in staff
    ]
    for worker in workers:
        worker.start()
    # Read before joining: a process that put something on a queue ends only once it was read.
    results = sorted(answers.get(timeout=90) for _ in workers)
    for worker in workers:
        worker.join(30)

    assert results == ["already_redeemed"] * (PROCESSES - 1) + ["redeemed"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Redemption)) == 1
