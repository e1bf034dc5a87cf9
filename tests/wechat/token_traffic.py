"""One process of API traffic for the token expiry test: ``python -m tests.wechat.token_traffic``.

Arguments: redis URL, simulator URL, app id, secret, openid, number of calls, start time
(epoch seconds; every process starts together). Prints ``ok <n>`` or ``failed <error>``.
"""

from __future__ import annotations

import sys
import time

from campaigns.redisconn import connect
from campaigns.wechat.accounts import Credentials
from campaigns.wechat.client import Bases, CampaignClient


def main(redis_url: str, sim_url: str, app_id: str, secret: str, openid: str, calls: str, start_at: str) -> None:
    client = CampaignClient(Credentials(app_id, secret, "", ""), connect(redis_url), Bases(sim_url, sim_url, sim_url))
    time.sleep(max(0.0, float(start_at) - time.time()))
    done = 0
    try:
        for _ in range(int(calls)):
            assert client.user.get(openid)["openid"] == openid
            done += 1
    except Exception as exc:  # reported to the test, which fails on it
        print(f"failed after {done}: {exc!r}")
        return
    print(f"ok {done}")


if __name__ == "__main__":
    main(*sys.argv[1:])
