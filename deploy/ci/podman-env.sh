# Sourced by the CI scripts: a private podman configuration that works on these hosts (tried):
# runc instead of crun (crun fails on the hybrid cgroup layout), cgroupfs, file events, and explicit
# ulimits no higher than the host's hard limits. Host networking only: other network modes rewrite the
# host's iptables, which CI must not do.
MODEL_RUNTIME_CACHE=${MODEL_RUNTIME_CACHE:-$HOME/.cache/model-runtime}
mkdir -p "$MODEL_RUNTIME_CACHE"
_nofile=$(ulimit -Hn)
[[ "$_nofile" == unlimited ]] && _nofile=1048576
export CONTAINERS_CONF="$MODEL_RUNTIME_CACHE/containers.conf"
cat > "$CONTAINERS_CONF.tmp" <<CONF
[containers]
default_ulimits = ["nofile=${_nofile}:${_nofile}", "nproc=32768:32768"]
netns = "host"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
mv "$CONTAINERS_CONF.tmp" "$CONTAINERS_CONF"
unset _nofile
