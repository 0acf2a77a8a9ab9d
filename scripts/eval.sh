#!/usr/bin/env bash
# Reproducible evaluation of the triage classifier against VADER on the dev sets (issue 4, item 5).
#
#   scripts/eval.sh            # from the crate root of a clean checkout
#
# For each dev set in ../shared/data/eval/ (override with EVAL_DATA=dir): runs `cargo run --release -- classify`
# and the VADER baseline (examples/vader_classify.rs) on the same file, scores both with the set's score.py and
# prints P/R/F1, macro-F1 and ROC AUC side by side; then the same for our own cross-industry set
# (tests/data/triage/general.jsonl, held out) and our probe posts (tests/data/triage/probes.jsonl, tuned on:
# a regression check, not a measure of generalisation). Predictions and scorer reports go to target/eval/.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${EVAL_DATA:-../shared/data/eval}
OUT=target/eval
mkdir -p "$OUT"

if [ ! -f "$DATA/score.py" ]; then
  echo "eval: no dev data: $DATA/score.py not found (set EVAL_DATA=dir); nothing to evaluate." >&2
  exit 0
fi

echo "eval: building (release)..." >&2
cargo build --release --quiet --bin regulars --example vader_classify

reports=()
# The dev sets, then our own sets (tests/data/triage/, written by the team).
for set in airline-dev tweeteval-dev general probes; do
  gold="$DATA/$set.jsonl"
  case "$set" in general | probes) gold="tests/data/triage/$set.jsonl" ;; esac
  if [ ! -f "$gold" ]; then
    echo "eval: skipping $set: $gold not found" >&2
    continue
  fi
  cargo run --release --quiet -- classify --input "$gold" --output "$OUT/$set.ours.jsonl"
  cargo run --release --quiet --example vader_classify < "$gold" > "$OUT/$set.vader.jsonl"
  python3 "$DATA/score.py" "$gold" "$OUT/$set.ours.jsonl" > "$OUT/$set.ours.score"
  python3 "$DATA/score.py" "$gold" "$OUT/$set.vader.jsonl" > "$OUT/$set.vader.score"
  reports+=("$set" "$OUT/$set.ours.score" "$OUT/$set.vader.score")
done

if [ ${#reports[@]} -eq 0 ]; then
  echo "eval: no dev sets found in $DATA; nothing to evaluate." >&2
  exit 0
fi
python3 scripts/eval_table.py "${reports[@]}"
