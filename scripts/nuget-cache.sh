#!/usr/bin/env bash
# Removes the Patched.DistributedLock.* redirect packages an older Backchannel checkout left in the NuGet package
# cache. They carried the real packages' ids and versions, so NuGet would take a cached one over the real package
# and build a different dependency graph from a machine that never had them. Only a redirect is removed (its nuspec
# says "Redirects ... to the unpatched ..."), never the real package, so running it again changes nothing.
set -euo pipefail

cache=${NUGET_PACKAGES:-$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')}
cache=${cache%/}
[[ -d $cache ]] || exit 0
shopt -s nullglob
for nuspec in "$cache"/patched.distributedlock.*/*/patched.distributedlock.*.nuspec; do
  if grep -q '<description>Redirects Patched\.DistributedLock\.' "$nuspec"; then
    entry=$(dirname "$nuspec")
    echo "nuget-cache.sh: removing the cached redirect package ${entry#"$cache"/}"
    rm -rf "$entry"
  fi
done
