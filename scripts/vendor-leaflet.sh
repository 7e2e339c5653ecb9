#!/usr/bin/env bash
# The dispatch board's map library, copied from the npm registry's `leaflet`
# package into our own static files (no CDN at run time: the board works
# offline). Pinned by version and by the tarball's sha512; re-run after
# changing LEAFLET_VERSION / LEAFLET_INTEGRITY (`npm view leaflet@X dist.integrity`).
set -euo pipefail
LEAFLET_VERSION=1.9.4
LEAFLET_INTEGRITY="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
DEST="$(cd "$(dirname "$0")/.." && pwd)/apps/dispatch/static/dispatch/vendor/leaflet"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
tarball="$(npm pack --silent "leaflet@${LEAFLET_VERSION}")"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$LEAFLET_INTEGRITY" ]; then
  echo "leaflet-${LEAFLET_VERSION}: integrity mismatch ($actual)" >&2
  exit 1
fi
tar -xzf "$tarball"
rm -rf "$DEST"
mkdir -p "$DEST/images"
cp package/dist/leaflet.js package/dist/leaflet.js.map package/dist/leaflet.css "$DEST/"  # the map too: the manifest storage follows sourceMappingURL
cp package/dist/images/*.png "$DEST/images/"
cp package/LICENSE "$DEST/LICENSE"
echo "$LEAFLET_VERSION" > "$DEST/VERSION"
echo "leaflet ${LEAFLET_VERSION} -> ${DEST#"$PWD"/}"
