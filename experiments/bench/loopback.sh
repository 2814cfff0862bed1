#!/usr/bin/env bash
# Issue-2 benchmark: replica processes on 127.0.0.x (no namespaces, no eBPF) and one client process,
# for N = 3, 5, 7 and 1 and 16 closed-loop clients. Writes run.json per cell, a summary table and the
# machine facts to experiments/results/<timestamp>-loopback/.
# Usage: experiments/bench/loopback.sh [--duration 20s] [--warmup 5s]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
duration=20s warmup=5s
while (($#)); do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    *) echo "usage: $0 [--duration 20s] [--warmup 5s]" >&2; exit 2 ;;
  esac
done
out="$repo/experiments/results/$(date +%Y-%m-%dT%H-%M-%S)-loopback"
mkdir -p "$out"
electrolab="$repo/bin/electrolab"
"$electrolab" --help >/dev/null   # build once, before any replica starts

pids=()
stop_replicas() {
  if ((${#pids[@]})); then
    kill "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true   # a replica ended by SIGTERM exits 143
  fi
  pids=()
}
trap stop_replicas EXIT

{
  echo "command: experiments/bench/loopback.sh --duration $duration --warmup $warmup"
  echo "date: $(date -u +%FT%TZ)"
  echo "git: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet || echo ' (dirty)')"
  echo "kernel: $(uname -r)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs) x $(nproc)"
  echo "memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
  echo "jdk: $("${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" -version 2>&1 | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/environment.txt"

printf '%-4s %-8s %10s %8s %8s %8s %8s\n' N clients ops/s p50_us p99_us errors timeouts > "$out/summary.txt"
for n in 3 5 7; do
  f=$(((n - 1) / 2))
  cfg="$out/cluster-n$n.yaml"
  {
    echo "cluster-id: 1"; echo "f: $f"; echo "app: null"; echo "port: 7300"; echo "members:"
    for ((i = 0; i < n; i++)); do echo "  - 127.0.0.$((101 + i))"; done
  } > "$cfg"
  for ((i = 0; i < n; i++)); do
    "$electrolab" replica --config "$cfg" --id "$i" > "$out/replica-n$n-$i.log" 2>&1 &
    pids+=($!)
  done
  for c in 1 16; do
    "$electrolab" client --config "$cfg" --clients "$c" --warmup "$warmup" --duration "$duration" \
      --offloads-label none --out "$out/run-n$n-c$c.json" > "$out/client-n$n-c$c.txt" 2>&1
    python3 - "$out/run-n$n-c$c.json" "$n" "$c" >> "$out/summary.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
l = r["latencyMicros"]
print(f'{sys.argv[2]:<4} {sys.argv[3]:<8} {r["throughputOpsPerSec"]:>10.0f} {l["p50"]:>8} {l["p99"]:>8} {r["errors"]:>8} {r["timeouts"]:>8}')
PY
  done
  stop_replicas
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/environment.txt"
cat "$out/summary.txt"
echo "wrote $out"
