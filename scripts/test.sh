#!/usr/bin/env bash
# Runs every test of Junction. Installs what the tests need on a fresh Debian machine that has the .NET SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tshark >/dev/null 2>&1 || need+=(tshark)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "Missing ${need[*]}: run 'sudo apt-get install ${need[*]}' (the capture tests need tshark)." >&2
    exit 1
  fi
fi

dotnet build Junction.sln -c Release -warnaserror
dotnet test Junction.sln -c Release --no-build --logger "console;verbosity=normal" "$@"
