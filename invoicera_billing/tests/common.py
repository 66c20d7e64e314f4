"""Test helpers shared by the Invoicera addons."""

import base64
import struct
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests.common import ChromeBrowser, HttpCase, get_db_name
from odoo.tools import config

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    """(width, height) of a PNG file, read from its IHDR chunk."""
    data = Path(path).read_bytes()[:24]
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"{path} is not a PNG file")
    return struct.unpack(">II", data[16:24])


@contextmanager
def committed_env():
    """An environment on a cursor of its own, committed when the block ends.

    For tests and benchmarks whose data must be seen by another transaction
    (a second cursor, a server process); they delete that data themselves.
    """
    with Registry(get_db_name()).cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})


class InvoiceraHttpCase(HttpCase):
    """HttpCase whose tours can leave a screenshot of their last screen."""

    def start_tour_with_screenshot(self, url_path, tour_name, name, viewport=None, **kwargs):
        """Run a tour and capture the page as the tour ends, before Chrome stops.

        ``viewport``: ``(width, height)`` of a phone to emulate (headless
        Chrome windows are at least 500 pixels wide, a phone is less).
        Returns the path of the PNG, saved under Odoo's ``screenshots``
        folder (``<screenshots>/<db>/invoicera/<name>.png``).
        """
        folder = Path(config["screenshots"]) / get_db_name() / "invoicera"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        path.unlink(missing_ok=True)
        stop = ChromeBrowser.stop

        def capture_then_stop(browser):
            if getattr(browser, "ws", None) is not None:
                result = browser._websocket_request(
                    "Page.captureScreenshot", params={"format": "png"}, timeout=30
                )
                if result and result.get("data"):
                    path.write_bytes(base64.b64decode(result["data"]))
            return stop(browser)

        navigate_to = ChromeBrowser.navigate_to

        def emulate_then_navigate(browser, url, wait_stop=False):
            if viewport:
                width, height = viewport
                browser._websocket_request(
                    "Emulation.setDeviceMetricsOverride",
                    params={
                        "width": width,
                        "height": height,
                        "deviceScaleFactor": 1,
                        "mobile": True,
                    },
                )
            return navigate_to(browser, url, wait_stop=wait_stop)

        with (
            patch.object(ChromeBrowser, "stop", capture_then_stop),
            patch.object(ChromeBrowser, "navigate_to", emulate_then_navigate),
        ):
            self.start_tour(url_path, tour_name, **kwargs)
        self.assertTrue(path.exists(), f"no screenshot was taken at the end of {tour_name}")
        return path
