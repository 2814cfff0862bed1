#!/usr/bin/env bash
# Replica CPU with and without the offloads, on the netns lab: for each size and offload set, brings
# the lab up, runs the client, and reads every replica process's CPU time (utime+stime from
# /proc/<pid>/stat) before and after the measured run. Writes cpu.csv, the run.json files and the
# machine facts to experiments/results/<timestamp>-netns-cpu/. Needs root.
# Usage: sudo experiments/bench/netns-cpu.sh [--clients 16] [--duration 10s] [--sizes "3 5 7"] [--offloads "none all"]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
clients=16 duration=10s sizes="3 5 7" offloads="none all"
while (($#)); do
  case "$1" in
    --clients) clients="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --offloads) offloads="$2"; shift 2 ;;
    *) echo "usage: $0 [--clients N] [--duration 10s] [--sizes \"3 5 7\"] [--offloads \"none all\"]" >&2; exit 2 ;;
  esac
done
electrolab="$repo/bin/electrolab"
out="$repo/experiments/results/$(date +%Y-%m-%dT%H-%M-%S)-netns-cpu"
mkdir -p "$out"
lab=cpu
trap '"$electrolab" lab down --name "$lab" >/dev/null 2>&1 || true' EXIT
"$electrolab" lab down --name "$lab" >/dev/null 2>&1 || true

{
  echo "command: experiments/bench/netns-cpu.sh --clients $clients --duration $duration --sizes \"$sizes\" --offloads \"$offloads\""
  echo "date: $(date -u +%FT%TZ)"
  echo "git: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet || echo ' (dirty)')"
  echo "kernel: $(uname -r)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/environment.txt"

cpu_ticks() {  # total utime+stime of every replica process of the lab, one "host ticks" line each
  for pidfile in "$repo"/lab-state/"$lab"/r*.pid; do
    host=$(basename "$pidfile" .pid)
    pid=$(head -n1 "$pidfile" | awk '{print $1}')
    awk -v h="$host" '{print h, $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo "$host 0"
  done
}

echo "size,offloads,clients,throughput_ops_per_sec,p50_us,p99_us,replica_cpu_percent_total,replica_cpu_percent_max,leader_cpu_percent" > "$out/cpu.csv"
hz=$(getconf CLK_TCK)
for n in $sizes; do
  for o in $offloads; do
    scenario="$out/scenario-n$n-$o.yaml"
    sed -e "s/^replicas: .*/replicas: $n/" -e "s/^offloads: .*/offloads: $o/" -e "s/^app: .*/app: null/" \
      "$repo/experiments/scenarios/scenario$n.yaml" > "$scenario"
    "$electrolab" lab up --scenario "$scenario" --name "$lab" > "$out/lab-n$n-$o.log" 2>&1
    config="$repo/lab-state/$lab/cluster.yaml"
    # Warm the JIT so the measured window sees steady state, then measure.
    ip netns exec "el-$lab-client" "$electrolab" client --config "$config" --clients "$clients" --warmup 1s --duration 3s \
      --out "$out/warm-n$n-$o.json" > /dev/null 2>&1
    before="$(cpu_ticks)"
    start=$(date +%s.%N)
    ip netns exec "el-$lab-client" "$electrolab" client --config "$config" --clients "$clients" --warmup 0s --duration "$duration" \
      --offloads-label "$o" --out "$out/run-n$n-$o.json" > "$out/client-n$n-$o.txt" 2>&1
    end=$(date +%s.%N)
    after="$(cpu_ticks)"
    leader=$(python3 -c "import json;print(json.load(open('$repo/lab-state/$lab/replica-0.stats.json'))['leader'])")
    python3 - "$out/run-n$n-$o.json" "$n" "$o" "$clients" "$start" "$end" "$hz" "$leader" "$before" "$after" >> "$out/cpu.csv" <<'PY'
import json, sys
run, n, o, c, start, end, hz, leader, before, after = sys.argv[1:]
wall = float(end) - float(start)
b = dict((l.split()[0], int(l.split()[1])) for l in before.splitlines())
a = dict((l.split()[0], int(l.split()[1])) for l in after.splitlines())
pct = {h: 100.0 * (a[h] - b.get(h, 0)) / int(hz) / wall for h in a}
r = json.load(open(run)); l = r["latencyMicros"]
print(f'{n},{o},{c},{r["throughputOpsPerSec"]:.0f},{l["p50"]},{l["p99"]},{sum(pct.values()):.0f},{max(pct.values()):.0f},{pct.get("r" + leader, 0):.0f}')
PY
    "$electrolab" lab down --name "$lab" > /dev/null 2>&1
  done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/environment.txt"
column -s, -t "$out/cpu.csv"
echo "wrote $out"
