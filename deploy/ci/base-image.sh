#!/usr/bin/env bash
# Builds the local JRE base image that stands in for eclipse-temurin:17-jre when no registry is reachable:
# a Debian bookworm minbase with openjdk-17-jre-headless and libturbojpeg0 (libjpeg-turbo's TurboJPEG
# API, the runtime's JPEG decoder), made by debootstrap from the apt mirror this
# machine is configured with, imported into podman as localhost/model-runtime-base:bookworm-jre17-turbojpeg.
# The rootfs tarball is cached (~/.cache/model-runtime/) so later runs only re-import it.
# Usage: deploy/ci/base-image.sh            (needs root, debootstrap and podman; see image-test.sh)
set -euo pipefail

BASE_TAG=${BASE_TAG:-localhost/model-runtime-base:bookworm-jre17-turbojpeg}
CACHE_DIR=${MODEL_RUNTIME_CACHE:-$HOME/.cache/model-runtime}
TARBALL="$CACHE_DIR/base-bookworm-jre17-turbojpeg.tar"
SUITE=bookworm

mirror() {
  # The Debian mirror of the configured apt sources (deb822 .sources or one-line .list form).
  local m
  m=$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -m1 '/debian/\?$' || true)
  if [[ -z "$m" ]]; then
    m=$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk '{print $2}' | grep -m1 '/debian/\?$' || true)
  fi
  echo "${m:-http://deb.debian.org/debian}"
}

if podman image exists "$BASE_TAG"; then
  echo "base image $BASE_TAG already present"
  exit 0
fi

if [[ ! -s "$TARBALL" ]]; then
  mkdir -p "$CACHE_DIR"
  root=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  m=$(mirror)
  echo "debootstrap $SUITE minbase + openjdk-17-jre-headless, libturbojpeg0 from $m"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates,libturbojpeg0 "$SUITE" "$root" "$m"
  # Trim what an image does not need; keep the JRE and its certificates.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
         "$root"/usr/share/man/* "$root"/usr/share/locale/*
  tar -C "$root" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
fi

podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'CMD ["/bin/bash"]' \
  "$TARBALL" "$BASE_TAG"
echo "imported $BASE_TAG"
