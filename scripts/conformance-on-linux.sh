#!/usr/bin/env bash
# Runs Junction's own TCP conformance scripts against the Linux kernel of this machine with packetdrill itself, to
# check that what the scripts expect is what Linux does. Needs root, bison and flex, and a packetdrill checkout
# (https://github.com/google/packetdrill; pass the path of its gtests/net/packetdrill folder, or of a built binary).
#   sudo scripts/conformance-on-linux.sh ~/src/packetdrill/gtests/net/packetdrill [script.pkt ...]
set -euo pipefail
cd "$(dirname "$0")/.."
source="${1:?usage: $0 PACKETDRILL_DIR_OR_BINARY [script.pkt ...]}"
shift
if [ -d "$source" ]; then
  if [ ! -x "$source/packetdrill" ]; then
    (cd "$source" && ./configure >/dev/null && make -j"$(nproc)" packetdrill >/dev/null)
  fi
  packetdrill="$(realpath "$source/packetdrill")"
else
  packetdrill="$(realpath "$source")"
fi
cd tests/Junction.Conformance/scripts
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(*.pkt)
passed=0 failed=0
for script in "${scripts[@]}"; do
  if output=$(timeout 120 "$packetdrill" "$script" 2>&1); then
    passed=$((passed + 1))
    echo "PASS  $script"
  else
    failed=$((failed + 1))
    echo "FAIL  $script: $(echo "$output" | grep -v '^$' | head -3 | tr '\n' ' ')"
  fi
done
echo "$passed passed, $failed failed on Linux $(uname -r)"
