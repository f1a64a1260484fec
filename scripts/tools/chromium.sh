#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (playwright-core drives it; no downloaded browser).
# Idempotent: nothing happens when /usr/bin/chromium is there. Needs root and apt (this project's machines).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium.sh: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) already installed"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get > /dev/null; then
  echo "chromium.sh: /usr/bin/chromium is missing; install Debian's chromium package (apt-get install chromium)" >&2
  exit 1
fi
echo "chromium.sh: installing Debian's chromium (a minute or two, once)"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium > /dev/null
