"""Subscribe pushes answered per second: signed, encrypted channel follows, each recorded and answered.

The app runs under gunicorn (2 gthread workers x 4 threads, as ``make run``) on SQLite and a real
Redis. Each push is a distinct follower subscribing through a channel QR code in safe (encrypted)
mode, so every one is decrypted, claimed once, appended to the campaign's stream and answered with
the campaign's news card, encrypted. The baseline, measured in the same interleaved rounds, is a
trivial logged-in endpoint (``bench/wsgi.py``). Goal: >= 500 pushes/s with p99 < 200 ms on 2 cores.

    .venv/bin/python bench/replies.py [--seconds 5] [--rounds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.draws import free_port  # noqa: E402
from bench.visit import wait_http  # noqa: E402
from campaigns.keys import CampaignKeys  # noqa: E402
from campaigns.redisconn import RedisServer, connect  # noqa: E402

APP_ID, TOKEN = "wxbenchreplies00", "benchtoken"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SCENE = "bench:poster"


def median_run(runs: list[dict]) -> dict:
    """The median of each figure over repeated runs."""
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def prepare(env: dict[str, str]) -> tuple[str, str]:
    """Migrate; create the account (safe mode), a live campaign with a channel, and a welcome; a session cookie."""
    os.environ.update(env)
    from flask_migrate import upgrade

    from app import create_app
    from campaigns.catalog.models import Campaign, Channel, OfficialAccount, PrizeTier
    from campaigns.wechat.models import AccountReplies
    from extensions import db

    app = create_app()
    services = app.extensions["services"]
    with app.app_context():
        upgrade()
        box, now = services.secrets, services.clock.now()
        account = OfficialAccount(
            slug="bench",
            name="bench",
            app_id=APP_ID,
            app_secret_sealed=box.seal("s"),
            token_sealed=box.seal(TOKEN),
            aes_key_sealed=box.seal(AES_KEY),
        )
        campaign = Campaign(
            account=account,
            slug="bench",
            name="春日刮刮卡",
            game="scratch",
            status="live",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=7),
            look={"title": "春日刮刮卡"},
        )
        campaign.tiers.append(PrizeTier(position=0, tier="gold", name="茶礼盒", weight=1, stock=1))
        campaign.channels.append(Channel(name="poster", scene=SCENE))
        db.session.add(campaign)
        db.session.flush()
        db.session.add(AccountReplies(account_id=account.id, document={"welcome": {"type": "text", "content": "欢迎"}}))
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        return serializer.dumps({f"follower:{account.id}": "o-bench"}), f"/bench/{account.id}/whoami"


def pushes(tag: str, count: int) -> list[tuple[str, bytes]]:
    """``count`` distinct encrypted subscribe pushes through the channel: (path with query, body)."""
    from wechatpy.crypto import WeChatCrypto
    from wechatpy.utils import WeChatSigner

    crypto, timestamp, out = WeChatCrypto(TOKEN, AES_KEY, APP_ID), str(int(time.time())), []
    for i in range(count):
        nonce = f"{tag}{i}"
        xml = (
            f"<xml><ToUserName><![CDATA[{APP_ID}]]></ToUserName><FromUserName><![CDATA[o-{tag}-{i}]]></FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_{SCENE}]]></EventKey></xml>"
        )
        encrypt = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", crypto.encrypt_message(xml, nonce, timestamp)).group(1)
        signer, msg_signer = WeChatSigner(), WeChatSigner()
        signer.add_data(TOKEN, timestamp, nonce)
        msg_signer.add_data(TOKEN, timestamp, nonce, encrypt)
        query = urlencode(
            {
                "signature": signer.signature,
                "timestamp": timestamp,
                "nonce": nonce,
                "encrypt_type": "aes",
                "msg_signature": msg_signer.signature,
            }
        )
        body = f"<xml><ToUserName><![CDATA[{APP_ID}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        out.append((f"/wechat/bench/callback?{query}", body.encode()))
    return out


def load(port: int, kind: str, cookie: tuple[str, str], tag: str, seconds: float, threads: int, budget: int) -> tuple:
    """One load process: ``threads`` keep-alive connections; the latencies (ms) of good answers and the time taken."""
    work = pushes(tag, budget) if kind == "push" else []
    latencies, lock, bad = [], threading.Lock(), [0]

    def loop(part: list[tuple[str, bytes]], deadline: float) -> None:
        conn, mine, index = http.client.HTTPConnection("127.0.0.1", port, timeout=10), [], 0
        while time.monotonic() < deadline and (kind != "push" or index < len(part)):
            t0 = time.perf_counter()
            if kind == "push":
                path, body = part[index]
                index += 1
                conn.request("POST", path, body=body, headers={"Content-Type": "text/xml"})
            else:
                conn.request("GET", cookie[1], headers={"Cookie": f"session={cookie[0]}"})
            response = conn.getresponse()
            text = response.read()
            if response.status == 200 and (kind != "push" or text.startswith(b"<xml>")):
                mine.append((time.perf_counter() - t0) * 1000)
            else:
                with lock:
                    bad[0] += 1
        with lock:
            latencies.extend(mine)

    start = time.monotonic()
    workers = [threading.Thread(target=loop, args=(work[i::threads], start + seconds)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return latencies, time.monotonic() - start, bad[0]


def measure(port: int, kind: str, cookie: tuple[str, str], tag: str, seconds: float, connections: int) -> dict:
    """Answers per second and p50/p99 from two load processes."""
    per = connections // 2
    budget = int(seconds * 3000)  # more pushes than the app can answer in ``seconds``
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        parts = pool.starmap(load, [(port, kind, cookie, f"{tag}p{p}", seconds, per, budget) for p in range(2)])
    latencies = sorted(x for lat, _, _ in parts for x in lat)
    elapsed = max(e for _, e, _ in parts)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[int(len(latencies) * 0.99) - 1],
        "bad": sum(b for _, _, b in parts),
        "count": len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp) / "redis", port=free_port(), unixsocket=False).start()
        env = dict(
            os.environ,
            APP_ENV="test",
            LOG_LEVEL="WARNING",
            REDIS_URL=server.url,
            DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            SECRET_KEY="bench-secret",
            PUBLIC_URL="https://campaigns.example",
        )
        port, gunicorn = free_port(), None
        try:
            cookie = prepare(env)
            argv = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads"]
            argv += ["4", "--worker-class", "gthread", "bench.wsgi:create_bench_app()"]
            gunicorn = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_http(f"http://127.0.0.1:{port}")
            answered = measure(port, "push", cookie, "warm", 1, args.connections)["count"]
            runs: dict[str, list[dict]] = {}
            for n in range(args.rounds):  # interleaved rounds; the medians are reported
                for kind in ("trivial", "push"):
                    runs.setdefault(kind, []).append(
                        measure(port, kind, cookie, f"r{n}", args.seconds, args.connections)
                    )
                answered += runs["push"][-1]["count"]
            recorded = connect(server.url).xlen(CampaignKeys(1).events)
        finally:
            if gunicorn:
                gunicorn.terminate()
                gunicorn.wait(10)
            server.stop()
    result = {name: median_run(r) for name, r in runs.items()}
    ratio = statistics.median(p["rps"] / t["rps"] for p, t in zip(runs["push"], runs["trivial"], strict=True))
    print(f"cores: {os.cpu_count()}  rounds: {args.rounds} x {args.seconds:g} s  connections: {args.connections}")
    for name, label in (("trivial", "trivial logged-in GET (baseline)"), ("push", "subscribe push, safe mode")):
        r = result[name]
        print(f"{label:<36} {r['rps']:8.0f}/s  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms  refused {r['bad']:.0f}")
    print(f"pushes / baseline: {ratio:.2f}   pushes answered {answered}, follows recorded {recorded}")


if __name__ == "__main__":
    main()
