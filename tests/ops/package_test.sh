#!/usr/bin/env bash
# CPack builds the Debian package from a build tree (no root needed): the files land where
# Debian 12 looks for them, Depends comes from the binary's shared libraries, the maintainer
# scripts are in, the unit runs the packaged binary and the version is the binary's.
# ops/package --check goes further: lintian, and an install in a fresh Debian 12 root.
#   tests/ops/package_test.sh BUILD_DIR
set -euo pipefail
build="$(cd "${1:?build dir}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

(cd "$build" && cpack -G DEB -B "$work" >"$work/cpack.log") || {
  cat "$work/cpack.log"
  exit 1
}
deb="$(ls "$work"/eichub_*_amd64.deb)"
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

files="$(dpkg-deb -c "$deb" | awk '{ print $1 " " $6 }')"
for want in "-rwxr-xr-x ./usr/bin/eichub" \
  "-rw-r--r-- ./lib/systemd/system/eichub.service" \
  "-rw-r--r-- ./usr/share/man/man1/eichub.1.gz" \
  "-rw-r--r-- ./usr/share/bash-completion/completions/eichub" \
  "-rw-r--r-- ./usr/share/doc/eichub/copyright" \
  "-rw-r--r-- ./usr/share/doc/eichub/changelog.gz"; do
  grep -qxF -- "$want" <<<"$files" || fail "the package lacks $want; it has:"$'\n'"$files"
done

depends="$(dpkg-deb -f "$deb" Depends)"
for lib in libzmq5 liblmdb0 libcapnp libssl3 passwd; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done

dpkg-deb -e "$deb" "$work/control"
for script in postinst prerm postrm; do
  [ -x "$work/control/$script" ] || fail "no executable $script in the package"
done

unit="$(dpkg-deb --fsys-tarfile "$deb" | tar -xOf - ./lib/systemd/system/eichub.service)"
for want in "ExecStart=/usr/bin/eichub run" "Environment=EICHUB_HOME=/var/lib/eichub" \
  "ProtectSystem=strict" "ReadWritePaths=/var/lib/eichub"; do
  grep -qxF -- "$want" <<<"$unit" || fail "the unit lacks $want"
done

version="$(dpkg-deb -f "$deb" Version)"
binary="$(dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$work" ./usr/bin/eichub &&
  "$work/usr/bin/eichub" --version)"
[ "$binary" = "eichub $version" ] || fail "package version $version, binary says $binary"

[ "$failures" -eq 0 ] && echo "package $version: files, Depends, scripts and unit as expected"
exit $((failures > 0))
