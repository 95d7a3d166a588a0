#!/usr/bin/env bash
# /usr/bin/start.sh: the image's default command (CMD), run by the entrypoint after HOSTS, the image
# defaults and the drop to the runtime user. It chooses what the container is:
#   - a YMIR executor when YMIR's task file exists (/in/env.yaml, or YMIR_ENV_FILE): YMIR runs the image
#     with no command, /in mounted read-only and /out writable (../shared/YMIR.md), and `model-server
#     batch` with no --input follows that file (images, model, config, monitor and result files) and exits;
#   - otherwise the HTTP server, the factory deployment's default.
# An explicit command always wins over this choice: `IMAGE --port 6000` (server options),
# `IMAGE batch --input DIR ...`, `IMAGE model-server ...`, or any other program (e.g. `cat`).
set -euo pipefail
launcher="${MODEL_RUNTIME_HOME:-/opt/model-runtime}/bin/model-server"
ymir_env_file=${YMIR_ENV_FILE:-/in/env.yaml}
if [[ -f "$ymir_env_file" ]]; then
  echo "start.sh: $ymir_env_file present: YMIR executor (model-server batch)" >&2
  exec "$launcher" batch "$@"
fi
exec "$launcher" "$@"
