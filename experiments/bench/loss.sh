#!/usr/bin/env bash
# Goodput under packet loss, on the netns lab: a fault campaign of the loss faults only (loss-0, the
# loss program attached and dropping nothing, then 1, 5, 10 and 20% of the packets to the replicas
# dropped), at each size and offload set, each rate `repeats` times, interleaved. Each run's goodput
# is the rate during the fault in % of the rate just before it (docs/faults.md), so the figure is a
# ratio measured within one run. Writes the campaign's results (runs, report.md, faults.csv) and
# charts/goodput-loss-nN.png (and .svg): goodput against the loss rate, one line per offload set,
# median over repeats with min-max bars, into experiments/results/<timestamp>-loss/. Needs root.
# The full benchmark, 30 runs, takes about 10 minutes on 2 quiet cores; do not run it on a loaded machine.
# Usage: sudo experiments/bench/loss.sh [--sizes "3"] [--offloads "none all"] [--rates "0 1 5 10 20"]
#                                       [--repeats 3] [--clients 4] [--during 4s]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
sizes="3" offloads="none all" rates="0 1 5 10 20" repeats=3 clients=4 during=4s
usage="usage: $0 [--sizes \"3\"] [--offloads \"none all\"] [--rates \"0 1 5 10 20\"] [--repeats 3] [--clients 4] [--during 4s]"
while (($#)); do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --offloads) offloads="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --during) during="$2"; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
faults=()
for rate in $rates; do
  case "$rate" in
    0|1|5|10|20) faults+=("loss-$rate") ;;
    *) echo "$0: --rates $rate: the loss faults drop 0, 1, 5, 10 or 20% (docs/faults.md); pick among those" >&2; exit 2 ;;
  esac
done
join() { local IFS=,; echo "$*"; }
out="$repo/experiments/results/$(date +%Y-%m-%dT%H-%M-%S)-loss"
scratch="$(mktemp -d)"
campaign="$scratch/loss.yaml"
trap 'rm -rf "$scratch"' EXIT
cat > "$campaign" <<EOF
# experiments/bench/loss.sh: goodput under loss (docs/faults.md)
sizes: [$(join $sizes)]
offloads: [$(join $offloads)]
faults: [$(join "${faults[@]}")]
repeats: $repeats
clients: $clients
warmup: 5s
settle: 3s
before: 3s
during: $during
after: 3s
EOF
command="experiments/bench/loss.sh --sizes \"$sizes\" --offloads \"$offloads\" --rates \"$rates\" --repeats $repeats --clients $clients --during $during"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$repo/bin/electrolab" experiment faults "$campaign" --out "$out" --lab-name loss || status=$?
[[ -d "$out" ]] || exit "$status"
{
  echo "command: $command"
  echo "git: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet || echo ' (dirty)')"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/command.txt"
ls "$out"/charts/goodput-loss-n*.png 2>/dev/null || echo "$0: no goodput-vs-loss chart: it needs two or more rates" >&2
echo "wrote $out"
exit "$status"
