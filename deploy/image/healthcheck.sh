#!/usr/bin/env bash
# HEALTHCHECK of the image: 0 when GET /health/ready answers 200. Bash's /dev/tcp, so the base image
# needs no curl or wget.
set -u
port=${PORT:-5000}
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /health/ready HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
IFS= read -r -t 5 status <&3 || exit 1
[[ "$status" == "HTTP/1."?" 200"* ]]
