#!/usr/bin/env bash
# redis-server under Junction (junction run: seccomp launcher, AF_XDP) against redis-server on the Linux kernel's
# stack, over the same veth lab, both driven by redis-benchmark from the lab's client namespace. Not a test: it
# measures and prints. Needs root, redis-server, redis-tools, cmake and gcc (for junction-launch).
#   bench/compat-redis.sh [REQUESTS]      (default 200000 per test)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
lab=rbench
for tool in redis-server redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install redis-server redis-tools" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "Run as root (the lab creates namespaces and attaches XDP)." >&2; exit 1; }

dotnet build src/Junction.Cli -c Release -v q -nologo >/dev/null
junction=src/Junction.Cli/bin/Release/net10.0/junction
workdir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$junction" lab down "$lab" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
"$junction" lab down "$lab" >/dev/null 2>&1 || true
"$junction" lab up -n "$lab" >/dev/null
client=junction-$lab-client
server=junction-$lab-server
junction_address=10.77.0.1
linux_address=10.77.0.254
redis_args=(--protected-mode no --save "" --appendonly no --dir "$workdir" --bind 0.0.0.0)

wait_for() { # ADDRESS PORT
  for _ in $(seq 1 200); do
    ip netns exec "$client" redis-cli -h "$1" -p "$2" ping 2>/dev/null | grep -q PONG && return 0
    sleep 0.1
  done
  echo "redis on $1:$2 did not answer" >&2
  exit 1
}

measure() { # LABEL ADDRESS PORT
  for pipeline in 1 16; do
    ip netns exec "$client" redis-benchmark -h "$2" -p "$3" -t set,get -n "$requests" -P "$pipeline" --csv \
      | awk -F, -v label="$1" -v p="$pipeline" 'NR > 1 { gsub(/"/, ""); printf "%-8s %-4s P=%-3s %12.0f\n", label, $1, p, $2 }'
  done
}

echo "redis-benchmark -t set,get -n $requests -c 50 from $client; 2 cores shared by server, stack and client"
ip netns exec "$server" redis-server --port 6400 "${redis_args[@]}" >"$workdir/linux.log" 2>&1 &
pids+=($!)
wait_for "$linux_address" 6400
measure linux "$linux_address" 6400 | tee "$workdir/linux.txt"
kill "${pids[-1]}"

"$junction" run --lab "$lab" -- redis-server --port 6401 "${redis_args[@]}" >"$workdir/junction.log" 2>&1 &
pids+=($!)
wait_for "$junction_address" 6401
measure junction "$junction_address" 6401 | tee "$workdir/junction.txt"
kill -TERM "${pids[-1]}"
wait "${pids[-1]}" 2>/dev/null || true
grep "calls caught" "$workdir/junction.log" || true

echo
printf "%-4s %-5s %12s %12s %7s\n" test P linux junction ratio
paste "$workdir/linux.txt" "$workdir/junction.txt" | awk '{ printf "%-4s %-5s %12.0f %12.0f %6.2fx\n", $2, $3, $4, $8, $8 / $4 }'
