#!/usr/bin/env bash
# The lab guide's write-up (docs/lab-guide.md, exercise 6): writes DIR/write-up.md, a report skeleton
# for a results directory of `electrolab experiment run`, with the machine and command, the tables
# and charts of DIR/report.md and the kernel counters each replica reported, plus the headings and
# questions you answer in your own words. It never overwrites a write-up: yours may hold your text.
#
#   experiments/write-up.sh my-runs/ex2          -> my-runs/ex2/write-up.md
set -euo pipefail

if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "usage: experiments/write-up.sh RESULTS_DIR   (a directory made by electrolab experiment run)" >&2
  exit 2
fi
dir="${1%/}"
report="$dir/report.md"
out="$dir/write-up.md"
if [[ ! -f "$report" ]]; then
  echo "write-up: $report not found; run electrolab experiment run (or electrolab report $dir) first" >&2
  exit 2
fi
if [[ -e "$out" ]]; then
  echo "write-up: $out exists and may hold your text; move it away to make a fresh one" >&2
  exit 2
fi

# The counters that show where the work went (docs/lab.md and bpf/electrolab_offload.h say what each counts).
counters=(tc-broadcast.broadcasts tc-broadcast.cloned fast-reply.fast_replied fast-reply.passed_up
  quorum-prune.quorum_passed quorum-prune.pruned quorum-prune.dropped_late)

# Prints one stats file's value of key $2 (the files are pretty-printed JSON, one key per line), or 0.
stat_value() {
  local value
  value="$(grep -m1 -E "^ *\"$2\" : " "$1" | sed -E 's/.*: ([0-9]+),?$/\1/')" || true
  echo "${value:-0}"
}

counter_table() {
  local header="| cluster start | replica | datagrams in | datagrams out |" rule="|---|---|---:|---:|" c file start
  for c in "${counters[@]}"; do header+=" $c |"; rule+="---:|"; done
  echo "$header"
  echo "$rule"
  for file in "$dir"/logs/*/r*.stats.json; do
    [[ -f "$file" ]] || continue
    start="$(basename "$(dirname "$file")")"
    local row="| $start | $(basename "$file" .stats.json) | $(stat_value "$file" datagramsIn) | $(stat_value "$file" datagramsOut) |"
    for c in "${counters[@]}"; do row+=" $(stat_value "$file" "$c") |"; done
    echo "$row"
  done
}

{
  echo "# Write-up: <your title>"
  echo
  echo "<Your names, the date, the session.>"
  echo
  echo "## Question"
  echo
  echo "<What did you want to find out, and what did you expect before you measured? One paragraph.>"
  echo
  echo "## Setup"
  echo
  echo "Results directory: \`$dir\`. From its report:"
  echo
  grep -E '^- \*\*(Run|Cluster|Machine|Software|Command)\*\*' "$report" || echo "<no environment section in $report>"
  echo
  echo "Matrix as run:"
  echo
  echo '```yaml'
  grep -v -E '^\s*#' "$dir/matrix.yaml" 2>/dev/null || echo "<no matrix.yaml in $dir>"
  echo '```'
  echo
  echo "## Results"
  echo
  echo "Median of the completed repeats, min-max in brackets; ×none divides by the same size and client"
  echo "count without offloads (above 1 is faster for throughput, below 1 is quicker for latency)."
  echo
  # Each "## N replicas" section of the report: its heading (one level down) and its table.
  awk '/^## [0-9]+ replicas/ { on = 1; sub(/^## /, "### "); print; print ""; next }
       /^## / { on = 0 }
       on && /^\|/ { print; last_table = 1; next }
       on && last_table && !/^\|/ { print ""; last_table = 0 }' "$report"
  grep -E '^(All runs completed|[0-9]+ runs? (failed|skipped)|- `n[0-9]+-.*`: (failed|skipped))' "$report" || true
  echo
  echo "## Charts"
  echo
  shopt -s nullglob
  charts=("$dir"/charts/*.png)
  if ((${#charts[@]} == 0)); then echo "<no charts in $dir/charts>"; fi
  for chart in "${charts[@]}"; do
    echo "![$(basename "$chart" .png)](charts/$(basename "$chart"))"
    echo
  done
  echo "## Where the work went"
  echo
  echo "Kernel counters each replica reported when its cluster stopped (0 where the offload was not loaded):"
  echo
  counter_table
  echo
  echo "<Which replica was the leader in each cluster start, and how can you tell from these counters?"
  echo "Per request, how many datagrams did user space send and receive with and without the offloads?>"
  echo
  echo "## Discussion"
  echo
  echo "<Answer the exercise's questions here, citing the rows and charts above. Where do your figures"
  echo "agree with the paper (+128% throughput, -42% latency) and where not, and why?>"
  echo
  echo "## What these figures cannot show"
  echo
  echo "<Repeats, run length, the machine (cores shared by every replica, the client and the kernel's"
  echo "packet work), virtual links instead of NICs. What would you change to trust them more?>"
} >"$out"
echo "wrote $out"
