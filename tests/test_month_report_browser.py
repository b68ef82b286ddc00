"""The monthly report opened in a real headless Chromium: it asks for nothing outside itself,
every chart is drawn with a size, the page is not blank, and it prints to PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.browser import needs_chromium, page, requests_made
from tests.conftest import invoke
from tests.month_demo import CHART_IDS, MONTH, NOW, synced_demo

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    config = folder / "sheetsync.yaml"
    config.write_text("timezone: Europe/Istanbul\ncurrency: TRY\n")
    out = folder / "december.html"
    result = invoke("--quiet", "--config", str(config), "report", "month",
                    str(synced_demo(folder / "studio.xlsx")), "--month", MONTH, "--now", NOW,
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def colours(png: bytes) -> int:
    """How many colours an image holds (up to 256: enough to tell a picture from a blank)."""
    found = Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=256)
    return 257 if found is None else len(found)


def test_the_page_asks_for_nothing_but_itself(report_file: Path):
    with page() as opened:
        asked = requests_made(opened, report_file.as_uri())
    assert asked == [report_file.as_uri()]


def test_every_chart_is_visible_with_a_size_and_the_page_is_not_blank(report_file: Path):
    with page() as opened:
        opened.goto(report_file.as_uri(), wait_until="load")
        assert opened.title() == "Monthly report, December 2026"
        for chart in CHART_IDS:
            drawn = opened.locator(f"#{chart} svg")
            assert drawn.count() == 1 and drawn.is_visible(), chart
            box = drawn.bounding_box()
            assert box is not None and box["width"] > 300 and box["height"] > 100, (chart, box)
            assert colours(drawn.screenshot()) > 3, f"{chart} is drawn in one colour"
        assert colours(opened.screenshot(full_page=True)) > 16


def test_it_prints_to_pdf(report_file: Path, tmp_path: Path):
    with page() as opened:
        opened.goto(report_file.as_uri(), wait_until="load")
        opened.emulate_media(media="print")
        pdf = opened.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 20_000
    assert 2 <= len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) <= 6  # A4 pages, none blank
