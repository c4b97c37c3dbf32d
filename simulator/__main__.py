"""Run the simulator as a server: `python -m simulator --port 8081`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from simulator.limits import RateLimits
from simulator.simulator import DEFAULT_TOKEN, BotApiSimulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description="Local Telegram Bot API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--token",
        action="append",
        help="accept only these tokens (repeatable); default: any well-formed token",
    )
    parser.add_argument(
        "--spec", help="path to api.json (default: BONEBOT_API_SPEC or the packaged copy)"
    )
    parser.add_argument("--no-rate-limits", action="store_true", help="disable flood control")
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="ID:NAME",
        help="create a user up front, e.g. 1001:Alice (repeatable)",
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    """Start the simulator and keep it running until cancelled."""
    sim = BotApiSimulator(
        token=args.token[0] if args.token else DEFAULT_TOKEN,
        tokens=args.token,
        spec_path=args.spec,
        rate_limits=RateLimits(enabled=not args.no_rate_limits),
    )
    for spec in args.user:
        user_id, _, name = spec.partition(":")
        sim.add_user(int(user_id), name or f"User {user_id}")
    await sim.start(args.host, args.port)
    logging.getLogger(__name__).info(
        "Bot API simulator on %s (token %s); control API under %s/_sim",
        sim.base_url,
        sim.token,
        sim.url,
    )
    try:
        await asyncio.Event().wait()
    finally:
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(parse_args(argv)))


if __name__ == "__main__":
    main()
