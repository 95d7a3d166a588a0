#!/usr/bin/env bash
# Factory hook, run as root at the end of the image build (runtime, config and model are in place).
set -euo pipefail
if [ -e /opt/model-runtime/model-server.jar ]; then state=present; else state=absent; fi
echo "build-end: runtime $state" > /etc/model-factory/build-end
