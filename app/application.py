"""The one place that knows every part: builds the PTB Application and its lifecycle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import BotCommand, Update
from telegram.ext import ApplicationBuilder, ContextTypes

import handlers
from app.leadership import Leadership
from app.telegram_transport import AiohttpRequest
from app.updates import PerPersonUpdateProcessor
from bot.config import Settings
from bot.db.database import create_bot_engine, make_sessions, upgrade_database
from bot.domain.clock import Clock, utc_now
from bot.services import care_alerts, care_summary
from bot.services.bone.page import reconcile as reconcile_bone_calendar
from bot.services.context import AppState, Services
from bot.services.dose_startup import reconcile
from handlers.common import App
from handlers.conversation import Conversation
from scheduler import runtime
from scheduler.delivery import Courier, Pacer
from scheduler.dose_batches import DoseBatcher, open_and_send
from scheduler.planner import ApschedulerPlanner, CoalescingScheduler, create_scheduler
from ui.texts.commands import COMMANDS

log = logging.getLogger(__name__)

# Updates of different people handled at once. Each costs 4 to 7 ms of CPU (see the
# README's benchmarks), so more concurrency adds contention, not throughput; a few let one
# person's slow request (a network hiccup) not hold up everyone else.
CONCURRENT_UPDATES = 4


class Lifecycle:
    """Creates the engine and scheduler after start-up and disposes of them at shutdown."""

    def __init__(self, settings: Settings, clock: Clock, transport: AiohttpRequest) -> None:
        self.settings = settings
        self.clock = clock
        self.transport = transport  # the bot's own; the courier sends reminders through it
        self._engine: AsyncEngine | None = None
        self._scheduler: CoalescingScheduler | None = None
        self.planner: ApschedulerPlanner | None = None
        self._leadership: Leadership | None = None

    async def post_init(self, app: App) -> None:
        """Become leader, migrate, open the database, rebuild jobs, start the scheduler."""
        url = self.settings.database_url
        self._leadership = Leadership(url, self.settings.leader_retry_seconds)
        await self._leadership.acquire()
        self._leadership.watch(app.stop_running)
        await asyncio.to_thread(upgrade_database, url)
        self._engine = create_bot_engine(url)
        sessions = make_sessions(self._engine)
        scheduler = create_scheduler(url)
        self._scheduler = scheduler
        scheduler.start(paused=True)
        self.planner = ApschedulerPlanner(scheduler)
        services = Services(self.settings, sessions, self.planner, self.clock)
        app.bot_data.install(services)
        pacer = Pacer(self.settings.send_per_second, self.settings.send_per_chat_per_second)
        courier = Courier(self.transport, app.bot.base_url, pacer)
        runtime.install(services, courier, DoseBatcher(open_and_send))
        self.planner.forget_stored_memory_kinds()
        # Read the job ids once: every rebuild below plans only what is missing.
        existing = self.planner.planned_ids()
        now = self.clock()
        async with sessions() as session:
            recheck = timedelta(minutes=self.settings.recheck_after_minutes)
            planned = await reconcile(session, self.planner, now, recheck, existing)
            planned += await care_alerts.reconcile(session, self.planner, now, existing)
            planned += await reconcile_bone_calendar(session, self.planner, now, existing)
            planned += await care_summary.reconcile(session, self.planner, now, existing)
        log.info("scheduler ready: %d jobs reconciled from the database", planned)
        scheduler.resume()
        await app.bot.set_my_commands([BotCommand(name, about) for name, about in COMMANDS])

    async def post_shutdown(self, app: App) -> None:
        """Stop the scheduler and close the database."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        await runtime.stop_running_jobs()
        runtime.uninstall()
        if self._engine is not None:
            await self._engine.dispose()
        if self._leadership is not None:
            await self._leadership.release()


def build_application(settings: Settings, clock: Clock = utc_now) -> App:
    """Build the bot: PTB application, handlers, and the lifecycle hooks."""
    transport = AiohttpRequest(pool_size=256)
    lifecycle = Lifecycle(settings, clock, transport)
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .request(transport)
        .get_updates_request(AiohttpRequest(pool_size=1))
        .context_types(ContextTypes(bot_data=AppState, user_data=Conversation))
        .concurrent_updates(PerPersonUpdateProcessor(CONCURRENT_UPDATES))
        .job_queue(None)  # reminders use our own persistent scheduler, not PTB's in-memory one
        .post_init(lifecycle.post_init)
        .post_shutdown(lifecycle.post_shutdown)
        .build()
    )
    handlers.register_all(app)
    return app


def serve(app: App, settings: Settings) -> None:
    """Run until a signal: by webhook when WEBHOOK_URL is set, else by long polling."""
    if settings.webhook_url:
        app.run_webhook(**_webhook(settings))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


def _webhook(settings: Settings) -> dict[str, Any]:
    """Return the webhook's options, the same whether PTB runs the loop or a test does."""
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": settings.webhook_path,
        "webhook_url": settings.webhook_url,
        "secret_token": secret,
        "allowed_updates": Update.ALL_TYPES,
    }


@asynccontextmanager
async def running(
    app: App, poll_timeout: int = 10, settings: Settings | None = None
) -> AsyncIterator[App]:
    """Run the application inside an event loop that is already running.

    `Application.run_polling` owns the loop and signals; tests and the demo share a loop
    with the simulator, so they use this, which calls the same hooks in the same order.
    With `settings` naming a WEBHOOK_URL it serves the webhook instead of polling.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    if settings is not None and settings.webhook_url:
        await app.updater.start_webhook(**_webhook(settings))
    else:
        await app.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=Update.ALL_TYPES
        )
    try:
        yield app
    finally:
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        await app.shutdown()
