#!/usr/bin/env bash
# Makes Debian's headless Chromium available for the browser specs (Backchannel.Specs/Browser), idempotently:
# installs the `chromium` package when /usr/bin/chromium is absent, and a colour emoji font (reactions, and the
# screenshots in docs/screenshots, would show empty boxes without one). Playwright drives it through ExecutablePath and
# never downloads a browser of its own. Safe to run any number of times.
set -euo pipefail

as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

packages=()
[[ -x ${BACKCHANNEL_CHROMIUM:-/usr/bin/chromium} ]] || packages+=(chromium)
dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || packages+=(fonts-noto-color-emoji)
if (( ${#packages[@]} )); then
  echo "chromium.sh: installing ${packages[*]} from Debian's packages..."
  # A fresh machine's package lists may be empty or stale: install from them, and refresh them only if that fails.
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${packages[@]}" >/dev/null 2>&1 || {
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${packages[@]}" >/dev/null
  }
fi
echo "chromium.sh: $(${BACKCHANNEL_CHROMIUM:-/usr/bin/chromium} --version 2>/dev/null || echo 'Chromium') is at ${BACKCHANNEL_CHROMIUM:-/usr/bin/chromium}"
