#!/usr/bin/env bash
# Factory hook, run as root at the start of the image build (before the runtime is copied in).
set -euo pipefail
mkdir -p /etc/model-factory
# Records that the runtime was not in the image yet when this ran.
if [ -e /opt/model-runtime/model-server.jar ]; then state=present; else state=absent; fi
echo "build-start: runtime $state" > /etc/model-factory/build-start
