#!/usr/bin/env bash
# Build a local base image (Debian bookworm + Python 3.11 in /opt/python) with no image registry:
# debootstrap from Debian's packages, then `docker import`. The host's CA bundle is copied in, so
# that pip inside `docker build` trusts what the host trusts.
#   docker/base-image.sh [TAG]        (default moderation-base:bookworm; needs root)
set -euo pipefail
tag=${1:-moderation-base:bookworm}
root=$(mktemp -d /tmp/moderation-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
step() { echo "[$(date +%H:%M:%S)] $*" >&2; }  # progress on stderr; stdout stays the tag alone
step "1/4 debootstrap: Debian bookworm with Python 3.11 into $root (the long step: 1 to 3 minutes)"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  bookworm "$root" http://deb.debian.org/debian >/dev/null
step "2/4 a virtual environment in /opt/python"
chroot "$root" python3 -m venv /opt/python
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
step "3/4 docker import as $tag"
tar -C "$root" -c . | docker import \
  --change 'ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
  --change 'CMD ["python3"]' - "$tag" >/dev/null
step "4/4 done"
echo "$tag"
