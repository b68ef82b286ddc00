#!/usr/bin/env bash
# Re-draws docs/commission-chart.png: the hand-computed December of tests/test_report.py,
# reported with the real command to an .xlsx file, and that file drawn by LibreOffice.
# Run from the repository root with sheetsync installed (pip install -e '.[test]').
set -euo pipefail
source docs/scratch-studio.sh
scratch_studio tests.test_report_xlsx december_workbook
sheetsync --quiet report commissions studio.xlsx --month 2026-12 --now 2027-01-01T00:05 \
  --out december.xlsx
soffice --headless --norestore "-env:UserInstallation=file://$work/lo" \
  --convert-to html --outdir html december.xlsx >/dev/null 2>&1
cp html/*.png "$root/docs/commission-chart.png"
echo "wrote docs/commission-chart.png"
