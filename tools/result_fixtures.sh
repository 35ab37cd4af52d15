#!/usr/bin/env bash
# Regenerate tests/fixtures/results/KIND.json: one small, real result of every registered kind (`make fixtures`).
# tests/test_results.py renders each through its registered report section and round-trips it through from_dict.
set -euo pipefail
cd "$(dirname "$0")/.."
NS=${NS:-.venv/bin/nullsight}
OUT=tests/fixtures/results
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export OMP_NUM_THREADS=1
mkdir -p "$OUT"
# The models the recipes share, then every capability's own fixture recipe (nullsight.capabilities).
$NS train nullsight:mlp-digits --data digits --epochs 20 --lr 3e-3 --seed 0 -q --out "$TMP/mlp.safetensors" > /dev/null
$NS train nullsight:mlp-digits --data digits --epochs 20 --lr 1e-2 --seed 1 -q --out "$TMP/mlp-b.safetensors" > /dev/null
$NS train nullsight:nula-w0.125 --data digits --epochs 1 --n-train 64 --no-rescale --seed 0 -q --out "$TMP/nula.safetensors" > /dev/null
$NS stego hide "$TMP/mlp.safetensors" --cover digits:0 --hidden digits:5 --image-out "$TMP/s.png" > /dev/null
${PY:-.venv/bin/python} -c 'from nullsight.capabilities import discover
for c in discover():
    print("\n".join(c.fixtures))' | while IFS= read -r line; do
    [ -n "$line" ] && eval "$line" < /dev/null
done
# Paths of temporary files would make the fixtures differ run to run.
.venv/bin/python - "$OUT" "$TMP" <<'PY'
import json, sys
from pathlib import Path
out, tmp = Path(sys.argv[1]), sys.argv[2]
for path in out.glob("*.json"):
    text = path.read_text().replace(tmp, "/tmp/fixture")
    path.write_text(text)
PY
