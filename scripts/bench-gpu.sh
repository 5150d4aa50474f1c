#!/usr/bin/env bash
# `sphere bench gpu` from a plain checkout in one short GPU lease: no pip install (sphere is pure Python;
# the image needs torch, numpy, pandas, pillow; pyyaml and tqdm get stand-ins, snakemake is not used).
#
#   bash scripts/bench-gpu.sh [more `sphere bench gpu` options, e.g. --parts step_sphereface20,train_run]
#
#   OUT            folder for <device>.json / .md (default results/bench; the lent machine sets it)
#   BUDGET         seconds for the parts (default 420); the process is stopped at BUDGET + 120 s,
#                  and what finished is written either way (the files are rewritten after every part)
#   MTCNN_WEIGHTS  folder with pnet.pt rnet.pt onet.pt (default: ./mtcnn-weights, ../shared/data/models/mtcnn)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-results/bench}"
budget="${BUDGET:-420}"
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
args=(--out "$out" --budget "$budget")
if [ -n "${MTCNN_WEIGHTS:-}" ]; then args+=(--mtcnn-weights "$MTCNN_WEIGHTS"); fi
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv \
    > "$out/nvidia-smi.csv" 2>/dev/null || rm -f "$out/nvidia-smi.csv"
exec timeout -k 15 "$((${budget%.*} + 120))" python -m sphere bench gpu "${args[@]}" "$@"
