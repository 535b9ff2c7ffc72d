#!/usr/bin/env bash
# Renders the Marketplace icon (package.json "icon": a 128 px PNG) from media/icons/marketplace.svg with Debian's
# rsvg-convert. The PNG is committed; run this after changing the SVG.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v rsvg-convert >/dev/null; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo -n); fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q librsvg2-bin </dev/null
fi
rsvg-convert --width 128 --height 128 --format png --output media/icons/marketplace.png media/icons/marketplace.svg
echo "media/icons/marketplace.png: $(file -b media/icons/marketplace.png 2>/dev/null || echo written)"
