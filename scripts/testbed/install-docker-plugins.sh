#!/usr/bin/env bash
# Installs Compose v2 and buildx as Docker CLI plugins from Debian trixie on a
# bookworm machine, as real servers have them: only the two plugin binaries
# are copied to /usr/libexec/docker/cli-plugins/, so bookworm's Compose v1
# (/usr/bin/docker-compose) stays. apt reads trixie through a private
# configuration whose mirror is the one the system's own Debian sources name;
# nothing is added to the system's sources.
set -euo pipefail

PLUGINS=/usr/libexec/docker/cli-plugins
if [ -x "$PLUGINS/docker-compose" ] && [ -x "$PLUGINS/docker-buildx" ]; then
  exit 0
fi

system_sources=/etc/apt/sources.list.d/debian.sources
uri=$(awk '/^URIs:/ { print $2; exit }' "$system_sources")
if [ -z "$uri" ]; then
  echo "no URIs: line in $system_sources; cannot find the Debian mirror" >&2
  exit 1
fi

work=$(mktemp -d /var/tmp/deploykit-plugins.XXXXXX)
trap 'rm -rf "$work"' EXIT
# apt fetches as its _apt user, which must be able to enter these directories.
chmod 755 "$work"
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs"
cat >"$work/trixie.sources" <<SOURCES
Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES

apt_opts=(
  -o "Dir::Etc::sourcelist=$work/trixie.sources"
  -o Dir::Etc::sourceparts=/dev/null
  -o "Dir::State::Lists=$work/lists"
  -o "Dir::Cache=$work/cache"
)
apt-get "${apt_opts[@]}" update -qq
chown _apt "$work/debs"
(cd "$work/debs" && apt-get "${apt_opts[@]}" download -qq docker-compose/trixie docker-buildx/trixie)

mkdir -p "$PLUGINS"
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
for plugin in docker-compose docker-buildx; do
  install -m 755 "$work/root/usr/libexec/docker/cli-plugins/$plugin" "$PLUGINS/$plugin"
done
docker compose version
docker buildx version
