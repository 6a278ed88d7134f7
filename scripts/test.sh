#!/usr/bin/env bash
# Runs every test of Junction. Installs what the tests need on a fresh Debian machine that has the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

# command -> Debian package, for every tool a test drives
declare -A tools=([tshark]=tshark [ip]=iproute2 [ethtool]=ethtool [ping]=iputils-ping [nft]=nftables [curl]=curl [python3]=python3 [gcc]=gcc [wrk]=wrk [h2load]=nghttp2-client [cmake]=cmake [redis-server]=redis-server [redis-benchmark]=redis-tools [nginx]=nginx-light [go]=golang-go)
# file -> Debian package, for headers and libraries a test builds or loads (the verbs layout probe compiles against
# rdma-core's headers; verbs discovery loads libibverbs.so.1, which libibverbs-dev pulls in)
declare -A files=([/usr/include/infiniband/mlx5dv.h]=libibverbs-dev)
need=()
for tool in "${!tools[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || need+=("${tools[$tool]}")
done
for file in "${!files[@]}"; do
  [ -e "$file" ] || need+=("${files[$file]}")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing ${need[*]}: run 'sudo apt-get install ${need[*]}', then run this again as root (the lab tests need root)." >&2
    exit 1
  fi
fi

dotnet build Junction.sln -c Release -warnaserror
dotnet test Junction.sln -c Release --no-build --logger "console;verbosity=minimal" "$@"
