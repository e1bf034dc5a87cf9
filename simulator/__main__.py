"""``python -m simulator --port 5001 --app-url http://127.0.0.1:5000``."""

from __future__ import annotations

import argparse

from werkzeug.serving import run_simple

from . import create_simulator


def main() -> None:
    parser = argparse.ArgumentParser(description="The local WeChat simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    parser.add_argument("--app-url", default="http://127.0.0.1:5000", help="where pushes are delivered")
    args = parser.parse_args()
    run_simple(args.host, args.port, create_simulator(app_url=args.app_url), threaded=True)


if __name__ == "__main__":
    main()
