#!/usr/bin/env bash
# Re-draws docs/report-month.png: the demo studio's December (tests/month_demo.py: made on
# 2026-10-05, synced on the 1st of November and December), reported with the real command and
# photographed in headless Chromium by the tests' browser helper (tests/browser.py).
# Run from the repository root with sheetsync installed (pip install -e '.[test]') and
# /usr/bin/chromium present (apt-get install chromium).
set -euo pipefail
source docs/scratch-studio.sh
scratch_studio tests.month_demo synced_demo
sheetsync --quiet report month studio.xlsx --month 2026-12 --now 2027-01-04T09:00 \
  --out december.html
python3 -c "from pathlib import Path
from tests.browser import screenshot
screenshot(Path('december.html'), Path('$root/docs/report-month.png'), width=900)"
echo "wrote docs/report-month.png"
