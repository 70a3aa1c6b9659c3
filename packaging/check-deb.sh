#!/usr/bin/env bash
# CI: builds the Debian package, installs it with apt-get (which proves its dependencies
# resolve), and checks what a shop owner would use: the installed binary, the bundled sample,
# the manual page, the menu entry and the *.candor file type.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# dpkg-dev works out the package's library dependencies; man-db, desktop-file-utils and
# shared-mime-info are what a desktop has, and register the manual, menu entry and file type.
# xvfb, xdotool and x11-utils open the installed program's window and read its icon.
$SUDO apt-get install -y -qq --no-install-recommends \
  dpkg-dev man-db desktop-file-utils shared-mime-info xvfb xdotool x11-utils >/dev/null
if ! command -v cargo-deb >/dev/null; then
  cargo install cargo-deb --locked --version '^3.8' --quiet
fi
bash packaging/build-deb.sh
deb=$(ls target/debian/candor_*.deb)
$SUDO apt-get install -y -qq "./$deb" >/dev/null
installed=/usr/bin/candor
"$installed" --version
"$installed" --version | grep -q "schema version"
sample_dir=$(mktemp -d)
"$installed" sample --out "$sample_dir/sample.candor"
"$installed" customers --db "$sample_dir/sample.candor" | grep -q "Amelia Hart"
man -w candor
man -w candor-import
desktop-file-validate /usr/share/applications/candor.desktop
grep -q "application/x-candor-shop:\*\.candor" /usr/share/mime/globs2
grep -q "application/x-candor-shop=candor.desktop" /usr/share/applications/mimeinfo.cache
test -f /usr/share/icons/hicolor/scalable/apps/candor.svg
test -f /usr/share/bash-completion/completions/candor
test -f /usr/share/doc/candor/copyright
bash packaging/check-window-icon.sh "$installed" "$sample_dir/sample.candor"
echo "The package $deb installs and works."
