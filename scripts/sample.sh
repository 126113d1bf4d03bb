#!/usr/bin/env bash
# Builds and runs samples/Backchannel.Sample.Worker the way a new app would use Backchannel: from the packed packages,
# not by project reference. Packs Backchannel.Domain and Backchannel.Projections with a fixed test version into a local
# feed (artifacts/sample-feed), restores the sample with samples/nuget.config (only that feed and the NuGet feed),
# builds it and runs it against the test database. Exits non-zero when any step or the sample fails.
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.0.0-sample
feed=artifacts/sample-feed
sample=samples/Backchannel.Sample.Worker

bash scripts/nuget-cache.sh
rm -rf "$feed" && mkdir -p "$feed"
for project in Backchannel.Domain Backchannel.Projections; do
  dotnet pack "$project" -c Release -o "$feed" -p:MinVerVersionOverride="$version" --nologo -v q
done
# The test version never changes, so NuGet's cache would keep the packages of an earlier run: drop just those.
cache=${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')}
rm -rf "${cache%/}/backchannel.domain/$version" "${cache%/}/backchannel.projections/$version"

dotnet restore "$sample" --force -p:BackchannelVersion="$version" --nologo -v q
dotnet build "$sample" -c Release --no-restore -p:BackchannelVersion="$version" --nologo -v q
# From the sample's folder, so that its appsettings.json (quiet logging) is found like in any app.
cd "$sample"
ConnectionStrings__Backchannel=${BACKCHANNEL_TEST_CONNECTION:-Host=127.0.0.1;Port=5432;Database=backchannel_tests;Username=backchannel;Password=backchannel} \
  dotnet run -c Release --no-build
