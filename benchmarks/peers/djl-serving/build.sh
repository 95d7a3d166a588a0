#!/usr/bin/env bash
# Builds DJL Serving 0.35.0 for the peer benchmark from its source release (it is not published as a Maven
# artifact, and its own build is Gradle, which is not installed here): pom.xml compiles its wlm, prometheus
# and serving modules with Maven into target/classes, and the libraries into target/lib. Maven fetches the
# dependencies at build time; run.sh fetches nothing.
#   benchmarks/peers/djl-serving/build.sh SOURCE_DIR
# SOURCE_DIR: DJL Serving's source tree at tag v0.35.0 (commit 9ac60faaa692487c08267a2d16638f3bfc9648a0,
# Apache-2.0), e.g. from
#   git clone --depth 1 --branch v0.35.0 https://github.com/deepjavalibrary/djl-serving SOURCE_DIR
# or the release archive https://github.com/deepjavalibrary/djl-serving/archive/refs/tags/v0.35.0.tar.gz.
set -euo pipefail
src=$(readlink -f "${1:?usage: build.sh DJL_SERVING_SOURCE_DIR (tag v0.35.0)}")
here=$(cd "$(dirname "$0")" && pwd)
[[ -f "$src/serving/src/main/java/ai/djl/serving/ModelServer.java" ]] \
  || { echo "build.sh: $src is not a DJL Serving source tree (no serving/src/main/java/ai/djl/serving/ModelServer.java)" >&2; exit 2; }
mvn -B -q -f "$here/pom.xml" package -Ddjl.serving.src="$src"
echo "built DJL Serving from $src: $here/target (run with run.sh MODEL.onnx PORT)"
