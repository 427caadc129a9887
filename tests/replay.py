"""Replay checks shared by tests and bench/snapshot.py: pywb on a free port, Chromium screenshots.

``pywb_collection`` adds WARC or WACZ files to a fresh pywb collection and serves it with
``wayback`` on 127.0.0.1; ``PageCamera`` photographs a page live and replayed in pywb's
frameless mode (``mp_``) in Debian's Chromium (same viewport), lists what each load could
not get, and compares the two pictures with SSIM (grayscale).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

PYWB_VENV = Path("/opt/pywb-venv/bin")
VIEWPORT = {"width": 1280, "height": 900}


def find_wayback() -> Path:
    """pywb's ``wayback``: $NEWSCRAWLER_WAYBACK, else /opt/pywb-venv (pywb's own environment), else PATH."""
    candidates = [os.environ.get("NEWSCRAWLER_WAYBACK"), str(PYWB_VENV / "wayback"), shutil.which("wayback")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            check = subprocess.run([candidate, "--help"], capture_output=True, text=True, timeout=60)
            if check.returncode == 0:
                return Path(candidate)
    raise FileNotFoundError("pywb's wayback was not found or does not run (set NEWSCRAWLER_WAYBACK, or: python -m "
                            "venv /opt/pywb-venv && /opt/pywb-venv/bin/pip install pywb)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def pywb_collection(root: Path, files: list[Path], name: str = "snap", port: int | None = None) -> Iterator[str]:
    """Serve ``files`` (WARCs or a WACZ) as pywb collection ``name`` (on ``port``, else a free
    one); yields its base URL."""
    wayback = find_wayback()
    manager = wayback.with_name("wb-manager")
    root.mkdir(parents=True, exist_ok=True)
    unpack = ["--unpack-wacz"] if any(f.suffix == ".wacz" for f in files) else []
    for args in (["init", name], ["add", *unpack, name, *(str(f.resolve()) for f in files)]):
        done = subprocess.run([str(manager), *args], cwd=root, capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"wb-manager {args[0]} failed: {done.stderr[-2000:]}")
    # Frameless replay, no pywb banner over the page: it is compared pixel by pixel with the live one.
    (root / "config.yaml").write_text("framed_replay: false\n")
    (root / "collections" / name / "templates" / "banner.html").write_text("<!-- no banner -->\n")
    port = port or free_port()
    log = open(root / "wayback.log", "wb")
    process = subprocess.Popen([str(wayback), "-p", str(port), "-b", "127.0.0.1"], cwd=root, stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/{name}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"wayback did not start: {(root / 'wayback.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@dataclass
class Shot:
    """A page's picture and the resources its load could not get (URL -> status or error)."""

    png: bytes
    failed: dict[str, str] = field(default_factory=dict)


def similarity(a: bytes, b: bytes) -> float:
    """SSIM of two screenshots in grayscale; the shorter one is padded with white."""
    import numpy as np
    from PIL import Image
    from skimage.metrics import structural_similarity

    first, second = (np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.uint8) for png in (a, b))
    height, width = max(first.shape[0], second.shape[0]), max(first.shape[1], second.shape[1])
    padded = []
    for image in (first, second):
        canvas = np.full((height, width), 255, dtype=np.uint8)
        canvas[: image.shape[0], : image.shape[1]] = image
        padded.append(canvas)
    return float(structural_similarity(padded[0], padded[1], data_range=255))


def original_url(replayed: str, base: str) -> str:
    """``http://host/coll/20240101000000mp_/http://site/x`` -> ``http://site/x``."""
    rest = replayed.removeprefix(base)
    _, _, url = rest.partition("/")
    return url


class PageCamera:
    """Chromium (Playwright, system executable) that photographs pages at one viewport."""

    def __init__(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=executable, headless=True,
                                                         args=["--no-sandbox", "--disable-gpu"])

    def shoot(self, url: str, block: tuple[str, ...] = ()) -> Shot:
        """Photograph ``url`` once loaded; resources of the ``block`` types (``"stylesheet"``...) are refused."""
        context = self._browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        page = context.new_page()
        if block:
            page.route("**/*", lambda route: route.abort() if route.request.resource_type in block
                       else route.continue_())
        failed: dict[str, str] = {}
        page.on("response", lambda r: failed.__setitem__(r.url, str(r.status)) if r.status >= 400 else None)
        # ERR_ABORTED: a load the page itself cancelled (pywb's wombat re-issues rewritten URLs).
        page.on("requestfailed", lambda r: None if "ERR_ABORTED" in (r.failure or "") or r.resource_type in block
                else failed.__setitem__(r.url, r.failure or "failed"))
        try:
            page.goto(url, wait_until="networkidle", timeout=60_000)
            page.evaluate("document.fonts.ready.then(() => true)")
            try:
                page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=8_000)
            except PlaywrightTimeoutError:
                pass  # a picture that never arrives is what the screenshot should show
            png = page.screenshot(full_page=True, animations="disabled", caret="hide")
        finally:
            context.close()
        return Shot(png, failed)

    def close(self) -> None:
        self._browser.close()
        self._playwright.stop()


@dataclass
class PageComparison:
    """One archived page seen live and replayed."""

    url: str
    ssim: float
    missing: list[str]
    """Resources the live page got and the replay could not serve."""


def compare_live_and_replay(camera: PageCamera, url: str, replay_base: str, timestamp: str,
                            keep: Path | None = None) -> PageComparison:
    """Photograph ``url`` live and at ``replay_base + timestamp + 'mp_/' + url`` (both kept in ``keep``)."""
    live = camera.shoot(url)
    replayed = camera.shoot(f"{replay_base}{timestamp}mp_/{url}")
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        stem = "".join(ch if ch.isalnum() else "-" for ch in url.split("://", 1)[-1])[-80:]
        (keep / f"{stem}.live.png").write_bytes(live.png)
        (keep / f"{stem}.replay.png").write_bytes(replayed.png)
    missing = sorted(
        original for original in (original_url(u, replay_base) for u in replayed.failed if u.startswith(replay_base))
        if original and original not in live.failed
    )
    return PageComparison(url, similarity(live.png, replayed.png), missing)
