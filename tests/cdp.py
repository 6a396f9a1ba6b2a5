"""A minimal Chrome DevTools Protocol client over `--remote-debugging-pipe` (stdlib only).

Drives headless Chromium the way a person would (keys, clicks, typing) for the HTML
report's browser test: no Playwright, no websocket, no port, no network. Chromium
reads commands from its fd 3 and writes replies to fd 4, each a JSON object
followed by a NUL byte.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any


class CdpError(RuntimeError):
    pass


class Browser:
    """One headless Chromium with one page, closed by `close()` (or `with`)."""

    def __init__(self, chromium: str, profile: Path, width: int = 1280,
                 height: int = 1000, timeout: float = 60.0) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def plumb() -> None:  # in the child, before exec: the pipes at fds 3 and 4
            high_r, high_w = os.dup(to_child_r) + 100, os.dup(from_child_w) + 100
            os.dup2(to_child_r, high_r)
            os.dup2(from_child_w, high_w)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        profile.mkdir(parents=True, exist_ok=True)
        self._proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--remote-debugging-pipe", f"--user-data-dir={profile}",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=plumb, close_fds=False, env={**os.environ, "HOME": str(profile)})
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next = 0
        self._deadline = timeout
        self._session = ""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.send("Target.attachToTarget",
                                  {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._proc.kill()
            self._proc.wait(timeout=30)
        finally:
            os.close(self._to_child)
            os.close(self._from_child)

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run one command and return its result (events in between are dropped)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if self._session and not method.startswith("Target."):
            message["sessionId"] = self._session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        started = time.monotonic()
        while True:
            reply = self._read(started)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def _read(self, started: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() - started > self._deadline:
                raise CdpError("no reply from chromium")
            chunk = os.read(self._from_child, 1 << 16)
            if not chunk:
                raise CdpError("chromium closed the pipe")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(raw)
        return parsed

    # what a test does with the page ----------------------------------------------

    def open(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        started = time.monotonic()
        while self.js("document.readyState") != "complete":
            if time.monotonic() - started > self._deadline:
                raise CdpError(f"{url} did not finish loading")
            time.sleep(0.05)

    def js(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate",
                           {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise CdpError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str) -> Any:
        """The value of `expression` once it is truthy (the page may update later)."""
        started = time.monotonic()
        while not (value := self.js(expression)):
            if time.monotonic() - started > self._deadline:
                raise CdpError(f"still false: {expression}")
            time.sleep(0.02)
        return value

    def key(self, key: str, code: str, key_code: int, text: str = "") -> None:
        """Press and release one key, as the keyboard would send it."""
        down: dict[str, Any] = {"type": "keyDown", "key": key, "code": code,
                                "windowsVirtualKeyCode": key_code}
        if text:
            down["text"] = text
        self.send("Input.dispatchKeyEvent", down)
        self.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": key, "code": code,
                                             "windowsVirtualKeyCode": key_code})

    def click(self, selector: str) -> None:
        """A left click at the centre of the first element matching `selector`."""
        box = self.js(
            f"(function () {{ var e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); var r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; }())")
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def type(self, text: str) -> None:
        self.send("Input.insertText", {"text": text})

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))
