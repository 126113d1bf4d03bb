"""Builds the two DistributedLock redirect packages (see docs/operations.md): empty packages whose only
content is a dependency on the unpatched upstream package that this NuGet copy holds."""
import pathlib, zipfile

HERE = pathlib.Path(__file__).parent
REDIRECTS = [
    ("Patched.DistributedLock.Postgres", "1.3.3", "DistributedLock.Postgres", "1.3.1"),
    ("Patched.DistributedLock.Core", "1.0.11", "DistributedLock.Core", "1.0.9"),
]
NUSPEC = """<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>{id}</id>
    <version>{version}</version>
    <authors>Backchannel</authors>
    <description>Redirects {id} {version} to the unpatched {target} {target_version}.</description>
    <dependencies>
      <group targetFramework="net8.0">
        <dependency id="{target}" version="[{target_version}]" />
      </group>
    </dependencies>
  </metadata>
</package>
"""

for package_id, version, target, target_version in REDIRECTS:
    path = HERE / f"{package_id.lower()}.{version}.nupkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as nupkg:
        nupkg.writestr(f"{package_id}.nuspec", NUSPEC.format(
            id=package_id, version=version, target=target, target_version=target_version))
        nupkg.writestr("lib/net8.0/_._", "")
    print(path.name)
