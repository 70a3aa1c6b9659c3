#!/usr/bin/env bash
# Builds target/debian/candor_VERSION_ARCH.deb with cargo-deb: the release binary, the man
# pages and shell completions the binary writes from its own command-line definitions, the
# desktop entry, the *.candor file type, the icons, the guide and the licences.
# Needs cargo-deb (`cargo install cargo-deb --locked`) and dpkg-dev (dpkg-shlibdeps).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
generated=target/packaging
rm -rf "$generated"
mkdir -p "$generated/man" "$generated/completions"
target/release/candor manpages --out "$generated/man" >/dev/null
gzip -9n "$generated"/man/*.1
target/release/candor completions bash >"$generated/completions/candor.bash"
target/release/candor completions zsh >"$generated/completions/_candor"
target/release/candor completions fish >"$generated/completions/candor.fish"
cargo deb --no-build --locked
