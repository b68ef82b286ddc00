#!/usr/bin/env bash
# Re-draws docs/commission-chart.png: the hand-computed December of tests/test_report.py,
# reported with the real command to an .xlsx file, and that file drawn by LibreOffice.
# Run from the repository root with sheetsync installed (pip install -e '.[test]').
set -euo pipefail
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"  # this checkout's code
cd "$work"
python3 -c "from pathlib import Path
from tests.test_report_xlsx import december_workbook
december_workbook(Path('studio.xlsx'))"
printf 'timezone: Europe/Istanbul\ncurrency: TRY\n' > sheetsync.yaml
sheetsync --quiet report commissions studio.xlsx --month 2026-12 --now 2027-01-01T00:05 \
  --out december.xlsx
soffice --headless --norestore "-env:UserInstallation=file://$work/lo" \
  --convert-to html --outdir html december.xlsx >/dev/null 2>&1
cp html/*.png "$root/docs/commission-chart.png"
echo "wrote docs/commission-chart.png"
