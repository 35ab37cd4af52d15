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
$NS train --arch nullsight:mlp-digits --data digits --epochs 20 --lr 3e-3 --seed 0 -q --out "$TMP/mlp.safetensors" --results "$OUT/train.json"
$NS audit nullsight:mlp --seed 0 -q -f json -o "$OUT/audit.json"
$NS audit --table2 SqueezeNet --seed 0 -q -f json -o "$OUT/table2.json" --results-dir "$TMP/table2"
$NS collide "$TMP/mlp.safetensors" --data digits --n 2 --beta 0.3 -q -f json -o "$OUT/collision.json"
$NS collide "$TMP/mlp.safetensors" --data digits --n 2 --sweep --betas 0.1,0.3 --results-dir "$TMP/sweep" -q -f json -o "$OUT/collision-sweep.json"
$NS collide "$TMP/mlp.safetensors" --data digits --n 1 --fig5 --fig5-limit 6 -q -o "$OUT/collision-fig5.json"
$NS detect "$TMP/mlp.safetensors" --data digits --n 60 --beta 0.5 -o "$OUT/detect.json"
$NS purify "$TMP/mlp.safetensors" --data digits --n 10 -o "$OUT/purify.json"
$NS geometry analyze "$TMP/mlp.safetensors" --data digits --n-train 200 --n-test 30 --n-pixel 5 --n-pixel-train 100 --n-table 2 -q -o "$OUT/geometry.json"
$NS geometry detect "$TMP/mlp.safetensors" --data digits --n 20 --attacks deepfool --steps 5 -o "$OUT/geometry-detection.json"
$NS geometry inverse "$TMP/mlp.safetensors" --data digits --n 4 --a 0 --b 1 --n-radii 2 --iterations 5 -o "$OUT/geometry-inverse.json"
$NS masks compute -m "$TMP/mlp.safetensors" --data digits --n 8 --attacks pgd,deepfool --min-steps 20 --max-steps 30 --attack-steps 5 --masks-dir "$TMP/masks" -q -o "$OUT/masks.json"
$NS masks correlate "$TMP"/masks/essential.safetensors "$TMP"/masks/pgd*.safetensors --permutations 20 --ks 2,3 --draws 2 -o "$OUT/masks-correlation.json"
$NS masks class -m "$TMP/mlp.safetensors" --data digits --train-per-class 4 --test-n 20 --steps 10 -q -o "$OUT/masks-class.json"
$NS masks robust -m "$TMP/mlp.safetensors" --data digits --attacks pgd --adaptive pgd --train-per-class 3 --test-n 10 --steps 5 --attack-steps 3 -q -o "$OUT/masks-robust.json"
$NS stego eval -m "$TMP/mlp.safetensors" --cover-data digits --hidden-data digits --n 40 -o "$OUT/stego-eval.json"
$NS stego sees -m "$TMP/mlp.safetensors" --data digits --n 4 -o "$OUT/stego-sees.json"
$NS stego conv --kernel 3 --size 8 --max-filters 2 -o "$OUT/stego-conv.json"
$NS stego hide -m "$TMP/mlp.safetensors" --cover digits:0 --hidden digits:5 --image-out "$TMP/s.png" -o "$OUT/stego-hide.json"
$NS stego reveal -m "$TMP/mlp.safetensors" "$TMP/s.npy" -o "$OUT/stego-reveal.json"
$NS train --arch nullsight:mlp-digits --data digits --epochs 20 --lr 1e-2 --seed 1 -q --out "$TMP/mlp-b.safetensors" > /dev/null
$NS stego fig1 --resolution 15 -o "$OUT/stego-fig1.json"
$NS stego fig11 -m "$TMP/mlp.safetensors" -m "$TMP/mlp-b.safetensors" --data digits --n 4 -o "$OUT/stego-fig11.json"
$NS sampling kernels --size 8 --larger 16 --network nullsight:nula-w0.125 -o "$OUT/sampling-kernels.json"
$NS sampling eval nullsight:nula-w0.125 --data digits --n 8 --n-worst 2 --worst-steps 1 --worst decimate-2 -q -o "$OUT/sampling-eval.json"
$NS train --arch nullsight:nula-w0.125 --data digits --epochs 1 --n-train 64 --no-rescale --seed 0 -q --out "$TMP/nula.safetensors" > /dev/null
$NS predict "$TMP/nula.safetensors" "$TMP/s.png" --top-k 3 -o "$OUT/predict.json"
# Paths of temporary files would make the fixtures differ run to run.
.venv/bin/python - "$OUT" "$TMP" <<'PY'
import json, sys
from pathlib import Path
out, tmp = Path(sys.argv[1]), sys.argv[2]
for path in out.glob("*.json"):
    text = path.read_text().replace(tmp, "/tmp/fixture")
    path.write_text(text)
PY
