#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png, a screenshot of each main screen of the web client: runs the browser specs
# (Backchannel.Specs/Browser, Category=Browser) with BACKCHANNEL_SCREENSHOTS set, so each spec writes the screens it
# passes through. PostgreSQL and Chromium are made available first, as for test.sh. Extra arguments go to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/postgres.sh
bash scripts/chromium.sh
bash scripts/nuget-cache.sh
export BACKCHANNEL_SCREENSHOTS="$PWD/docs/screenshots"
dotnet test Backchannel.Specs --nologo --filter "Category=Browser" "$@"
echo "screenshots.sh: wrote $(ls "$BACKCHANNEL_SCREENSHOTS"/*.png | wc -l) screenshots to docs/screenshots"
