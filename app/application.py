"""The one place that knows every part: builds the PTB Application and its lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import BotCommand, Update
from telegram.ext import ApplicationBuilder, ContextTypes, ExtBot

import handlers
from app.flood_control import FloodLimiter, FloodSafeRequest
from app.leadership import Leadership
from app.telegram_transport import AiohttpRequest, RetryingRequest
from app.updates import PerPersonUpdateProcessor, PollingBot
from app.webhook import WebhookUpdater
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
from scheduler.delivery import Courier
from scheduler.dose_batches import DoseBatcher, open_and_send
from scheduler.planner import ApschedulerPlanner, CoalescingScheduler, create_scheduler
from ui.texts.commands import COMMANDS

log = logging.getLogger(__name__)

# Updates of different people handled at once. Each costs 4 to 7 ms of CPU (see the
# README's benchmarks), so more concurrency adds contention, not throughput; a few let one
# person's slow request (a network hiccup) not hold up everyone else.
CONCURRENT_UPDATES = 4
# Seconds a long poll waits for updates (PTB's default), unless a test asks for less.
POLL_TIMEOUT = 10
# Times PTB tries setting up polling or the webhook again (1 s apart) when leading again.
BOOTSTRAP = 5


class Lifecycle:
    """Creates the engine and scheduler after start-up and disposes of them at shutdown;
    in between, steps down when leadership is lost and takes the lead again when it can."""

    def __init__(
        self, settings: Settings, clock: Clock, transport: AiohttpRequest, limiter: FloodLimiter
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.transport = transport  # the bot's own; the courier sends reminders through it
        self.limiter = limiter  # the one flood limiter: replies first, then the courier's
        self.poll_timeout = POLL_TIMEOUT
        # What the process exits with: not 0 once leadership could not be recovered.
        self.exit_code = 0
        self._engine: AsyncEngine | None = None
        self._scheduler: CoalescingScheduler | None = None
        self.planner: ApschedulerPlanner | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None
        self._leadership: Leadership | None = None
        self._terms: asyncio.Task[None] | None = None

    async def post_init(self, app: App) -> None:
        """Become leader, migrate, open the database, rebuild jobs, start the scheduler."""
        url = self.settings.database_url
        leadership = self._leadership = Leadership(
            url,
            self.settings.leader_retry_seconds,
            self.settings.leader_lease_seconds,
            self.settings.database_outage_seconds,
        )
        await leadership.acquire(before_term=lambda: asyncio.to_thread(upgrade_database, url))
        self._engine = create_bot_engine(url)
        sessions = self._sessions = make_sessions(self._engine)
        scheduler = create_scheduler(url)
        self._scheduler = scheduler
        scheduler.start(paused=True)
        self.planner = ApschedulerPlanner(scheduler)
        services = Services(self.settings, sessions, self.planner, self.clock, leadership)
        app.bot_data.install(services)
        courier = Courier(self.transport, app.bot.base_url, self.limiter.unprompted(), leadership)
        runtime.install(services, courier, DoseBatcher(open_and_send))
        self.planner.forget_stored_memory_kinds()
        await self._lead()
        await app.bot.set_my_commands([BotCommand(name, about) for name, about in COMMANDS])
        self._terms = asyncio.create_task(self._keep_leading(app), name="leadership")

    async def _lead(self) -> None:
        """Rebuild the jobs from the database and start running them."""
        assert self.planner is not None
        assert self._scheduler is not None
        assert self._sessions is not None
        # Read the job ids once: every rebuild below plans only what is missing.
        existing = self.planner.planned_ids()
        now = self.clock()
        async with self._sessions() as session:
            recheck = timedelta(minutes=self.settings.recheck_after_minutes)
            planned = await reconcile(session, self.planner, now, recheck, existing)
            planned += await care_alerts.reconcile(session, self.planner, now, existing)
            planned += await reconcile_bone_calendar(session, self.planner, now, existing)
            planned += await care_summary.reconcile(session, self.planner, now, existing)
        log.info("scheduler ready: %d jobs reconciled from the database", planned)
        self._scheduler.resume()

    async def _step_down(self, app: App) -> None:
        """Stop everything a leader does: the fence already refuses every send."""
        assert self.planner is not None
        assert self._scheduler is not None
        self.planner.suspend()
        self._scheduler.pause()
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        await runtime.stop_running_jobs()
        log.info("stepped down: no polling, no jobs, until this process leads again")

    async def _keep_leading(self, app: App) -> None:
        """Step down whenever leadership is lost, contend again, and lead again; stop the
        process with a non-zero status when that cannot be done (for its supervisor)."""
        assert self._leadership is not None
        assert self.planner is not None
        try:
            while True:
                await self._leadership.lost()
                await self._step_down(app)
                await self._leadership.acquire(again=True)
                self.planner.forget_memory_jobs()
                self.planner.resume()
                await self._lead()
                await listen(app, self.settings, self.poll_timeout)
        except Exception as error:
            log.critical(
                "leadership cannot be recovered (%s): stopping with exit status 1",
                type(error).__name__,
                exc_info=error,
            )
            self.exit_code = 1
            app.stop_running()

    async def post_shutdown(self, app: App) -> None:
        """Stop the scheduler and close the database."""
        if self._terms is not None:
            self._terms.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._terms
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        await runtime.stop_running_jobs()
        runtime.uninstall()
        if self._engine is not None:
            await self._engine.dispose()
        if self._leadership is not None:
            await self._leadership.release()


# Each application's lifecycle, for `serve` and `running` (the builder keeps no reference).
_LIFECYCLES: weakref.WeakKeyDictionary[App, Lifecycle] = weakref.WeakKeyDictionary()


def build_application(settings: Settings, clock: Clock = utc_now) -> App:
    """Build the bot: PTB application, handlers, and the lifecycle hooks."""
    transport = AiohttpRequest(pool_size=256)
    limiter = flood_limiter(settings)
    lifecycle = Lifecycle(settings, clock, transport, limiter)
    bot: ExtBot[None] = PollingBot(
        token=settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=settings.telegram_file_base_url,
        # Replies, edits, button answers and files wait their turn in the flood limiter
        # (and wait out any 429) and retry 5xx and network errors; the courier sends
        # reminders through the same connections, with its own retries, at the limiter's
        # lower priority.
        request=RetryingRequest(FloodSafeRequest(transport, limiter)),
        get_updates_request=AiohttpRequest(pool_size=1),
    )
    app = (
        ApplicationBuilder()
        # PTB's Updater, with a webhook that answers every post, an unreadable one included
        .updater(WebhookUpdater(bot, asyncio.Queue()))
        .context_types(ContextTypes(bot_data=AppState, user_data=Conversation))
        .concurrent_updates(PerPersonUpdateProcessor(CONCURRENT_UPDATES))
        .job_queue(None)  # reminders use our own persistent scheduler, not PTB's in-memory one
        .post_init(lifecycle.post_init)
        .post_shutdown(lifecycle.post_shutdown)
        .build()
    )
    _LIFECYCLES[app] = lifecycle
    handlers.register_all(app)
    return app


def flood_limiter(settings: Settings) -> FloodLimiter:
    """The one limiter every Bot API call of the bot goes through."""
    return FloodLimiter(
        settings.send_per_second,
        settings.send_burst,
        settings.send_per_chat_per_second,
        settings.send_per_chat_burst,
    )


def serve(app: App, settings: Settings) -> int:
    """Run until a signal: by webhook when WEBHOOK_URL is set, else by long polling.

    Return the exit status: 0 after a signal, not 0 when leadership could not be
    recovered (a supervisor such as systemd then restarts the process).
    """
    if settings.webhook_url:
        app.run_webhook(**_webhook(settings))
    else:
        app.run_polling(poll_interval=0.0, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES)
    return _LIFECYCLES[app].exit_code


async def listen(app: App, settings: Settings, poll_timeout: int = POLL_TIMEOUT) -> None:
    """Start taking updates: the webhook when WEBHOOK_URL is set, else long polling."""
    assert app.updater is not None
    if settings.webhook_url:
        await app.updater.start_webhook(**_webhook(settings), bootstrap_retries=BOOTSTRAP)
    else:
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=poll_timeout,
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=BOOTSTRAP,
        )


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
    lifecycle = _LIFECYCLES.get(app)
    if lifecycle is not None:  # listening again after a re-election uses the same timeout
        lifecycle.poll_timeout = poll_timeout
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    if settings is not None and settings.webhook_url:
        await listen(app, settings, poll_timeout)
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
