"""The demo page in a real headless Chromium: a person registers, time moves, they answer.

Needs the `playwright` Python package (the test extra) and Debian's `chromium` at
/usr/bin/chromium (`.ci/run` installs it when it can); Playwright's own browser download is
not used. Set BONEBOT_SCREENSHOT=docs/demo.png to refresh the README's screenshot.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from demo import Demo
from tests.demo.fixtures import demo_fixture  # noqa: F401 - fixture

try:
    from playwright.async_api import BrowserContext, Locator, Page, async_playwright, expect
except ImportError:  # pragma: no cover - depends on the machine
    PLAYWRIGHT = False
else:
    PLAYWRIGHT = True

CHROMIUM = Path(os.environ.get("BONEBOT_CHROMIUM", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
PHONE = {"width": 390, "height": 844}
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(
        not PLAYWRIGHT,
        reason="the playwright Python package is not installed (pip install -e '.[test]')",
    ),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM} (as root: apt-get install -y chromium)",
    ),
]


@pytest.fixture(name="browser")
async def browser_fixture(tmp_path: Path) -> AsyncIterator[BrowserContext]:
    """Headless Chromium with a fresh profile and a phone-sized window."""
    async with async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            tmp_path / "profile",
            executable_path=CHROMIUM,
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="en-GB",
        )
        context.set_default_timeout(10_000)
        try:
            yield context
        finally:
            await context.close()


async def _open(browser: BrowserContext, demo: Demo, user: int, name: str) -> Page:
    page = await browser.new_page()
    await page.goto(f"{demo.url}/?user={user}&name={name}")
    await expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page


def _keyboard(page: Page) -> Locator:
    """The newest message that shows answer buttons."""
    return page.locator("article.message:has(.keyboard)").last


async def _tap(page: Page, label: str) -> None:
    """Tap an answer button on the newest message that has buttons, like a patient would."""
    await _keyboard(page).get_by_role("button", name=label).first.click()


async def test_register_by_tapping_run_the_reminder_now_and_press_taken(
    demo: Demo, browser: BrowserContext, tmp_path: Path
) -> None:
    page = await _open(browser, demo, 1001, "Alice")
    await expect(page.locator("#me-name")).to_have_text("Alice (1001)")
    run_next = page.get_by_role("button", name="Run the next scheduled job now")
    await expect(run_next).to_be_disabled()

    await page.get_by_role("button", name="Start", exact=True).click()
    for label, then in [
        ("Yes, that's fine", "Which aromatase inhibitor"),
        ("Anastrozole", "What time of day"),
        ("09:00", "protect your bones"),
        ("None", "Which time zone"),
        ("London", "Is this right?"),
        ("Yes, save it", "Saved"),
    ]:
        await _tap(page, label)
        await expect(page.locator("#chat")).to_contain_text(then)

    # The demo panel shows what is scheduled next, with its job id.
    await expect(page.locator("#next")).to_contain_text("Alice: reminder to take anastrozole")
    await expect(page.locator("#next code")).to_have_text("dose:1")
    await run_next.click()

    reminder = page.locator("article.from-bot", has_text="Time for your anastrozole")
    await expect(reminder).to_have_count(1)
    reminder_id = await reminder.get_attribute("id")
    await expect(page.locator("#now")).to_contain_text("09:0")
    await reminder.get_by_role("button", name="Taken").click()

    # The same message is edited in place: now it says taken, and no longer offers Taken.
    edited = page.locator(f"#{reminder_id}")
    await expect(edited).to_contain_text("taken at 09:0")
    await expect(edited.locator(".edited")).to_have_text("edited")
    await expect(edited.get_by_role("button", name="Taken")).to_have_count(0)
    await expect(page.locator("#next")).to_contain_text("reminder to take anastrozole")

    # Commands come from the bot's menu (setMyCommands), usable by keyboard.
    await page.get_by_role("button", name="Menu").click()
    await expect(page.get_by_role("button", name="/today")).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("article.from-me").last).to_have_text("You said: /today")
    await expect(page.locator("article.message").last).to_contain_text("Anastrozole 1 mg")

    await page.locator("#toast").evaluate("toast => { toast.hidden = true; }")
    shot = Path(os.environ.get("BONEBOT_SCREENSHOT") or tmp_path / "demo.png")
    if not shot.is_absolute():
        shot = ROOT / shot
    shot.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=shot, animations="disabled")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_photos_documents_and_a_second_person_in_another_tab(
    demo: Demo, browser: BrowserContext
) -> None:
    alice = await _open(browser, demo, 1001, "Alice")
    bob = await _open(browser, demo, 1002, "Bob")

    # Typing works from the keyboard alone: focus the box, type, Enter.
    await alice.get_by_label("Message to BoneBot").fill("/help")
    await alice.keyboard.press("Enter")
    await expect(alice.locator("article.from-bot")).to_have_count(1)

    await demo.app.bot.send_photo(1001, PNG, caption="Your week")
    await demo.app.bot.send_document(1001, b"%PDF-1.4 demo", filename="history.pdf")
    photo = alice.get_by_role("img", name="Photo: Your week")
    await expect(photo).to_be_visible()
    assert await photo.evaluate("image => image.complete && image.naturalWidth") == 1
    download = alice.get_by_role("link", name="Download history.pdf")
    await expect(download).to_have_attribute("download", "history.pdf")

    # Bob's tab is his own chat: nothing of Alice's, a Start button of his own.
    await expect(bob.locator("#me-name")).to_have_text("Bob (1002)")
    await expect(bob.locator("article.message")).to_have_count(0)
    await expect(bob.get_by_role("button", name="Start", exact=True)).to_be_visible()


# A 1x1 PNG, as a photo the bot could send.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e0d1a10000000049454e44ae426082"
)
