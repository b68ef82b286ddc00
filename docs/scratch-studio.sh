# Sourced by the docs/*.sh scripts that re-draw a picture of the README (run them from the
# repository root): `scratch_studio MODULE FUNCTION` moves into a scratch folder (removed on
# exit) holding studio.xlsx, made by MODULE's FUNCTION(path), and a sheetsync.yaml (Istanbul
# time, TRY), with this checkout's code first on PYTHONPATH. $root is the repository root.
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"  # this checkout's code

scratch_studio() {
  cd "$work"
  python3 -c "from pathlib import Path
from $1 import $2
$2(Path('studio.xlsx'))"
  printf 'timezone: Europe/Istanbul\ncurrency: TRY\n' > sheetsync.yaml
}
