#!/usr/bin/env bash
# Makes Debian's headless Chromium available for the browser specs (Backchannel.Specs/Browser), idempotently:
# installs the `chromium` package when /usr/bin/chromium is absent. Playwright drives it through ExecutablePath and
# never downloads a browser of its own. Safe to run any number of times.
set -euo pipefail

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

if [[ ! -x ${BACKCHANNEL_CHROMIUM:-/usr/bin/chromium} ]]; then
  echo "chromium.sh: installing Chromium from Debian's packages..."
  # A fresh machine's package lists may be empty or stale: refresh them once, and again only if the install fails.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null 2>&1 || {
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
  }
fi
echo "chromium.sh: $(${BACKCHANNEL_CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null || echo 'Chromium') is at ${BACKCHANNEL_CHROMIUM:-/usr/bin/chromium}"
