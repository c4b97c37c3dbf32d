"""`python -m bot`: migrate the database and run the bot (or try the demo, or export records).

python -m bot export --patient 12 --format pdf --from 2026-08-01 --to 2026-10-31 --out .
"""

from __future__ import annotations

import argparse
import sys

from app import export_cli
from app.logs import configure_logging
from bot.config import SettingsProblem, load_settings


def main(argv: list[str] | None = None) -> int:
    """Start the bot, or say in one line what is missing."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument(
        "command", nargs="?", default="run", choices=["run", "migrate", "demo", "export"]
    )
    parser.add_argument("--host", default="127.0.0.1", help="demo: address of the chat page")
    parser.add_argument("--port", type=int, default=8080, help="demo: port of the chat page")
    export_cli.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.command == "demo":  # needs no token: it brings its own local Telegram
        from demo import main as demo

        return demo(args.host, args.port)
    try:
        settings = load_settings()
    except SettingsProblem as problem:
        print(f"bonebot: {problem}", file=sys.stderr)
        return 2
    webhook_secret = settings.webhook_secret
    configure_logging(
        settings.log_level,
        settings.telegram_bot_token.get_secret_value(),
        webhook_secret.get_secret_value() if webhook_secret else "",
    )

    if args.command == "export":
        return export_cli.run(settings, args)

    if args.command == "migrate":
        from bot.db.database import upgrade_database

        upgrade_database(settings.database_url)
        return 0

    from app.application import build_application, serve

    return serve(build_application(settings), settings)
