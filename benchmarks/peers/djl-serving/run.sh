#!/usr/bin/env bash
# DJL Serving 0.35.0 (built by build.sh) serving one ONNX image classifier the way the peers do: ONNX Runtime,
# one single-threaded session per worker, 2 workers (one per core), DJL's ImageClassificationTranslator with
# the same preprocessing as fastapi_onnx.py (decode, bilinear resize to the model's input size, scale to
# [0, 1], NCHW; no mean/std) and a synset of class indices, so its top-1 "className" is the class index.
#   benchmarks/peers/djl-serving/run.sh MODEL.onnx PORT     answers POST /predictions/model
# Runs in the foreground (exec); fetches nothing (DJL's engine cache under a temporary DJL_CACHE_DIR holds
# only what the jars carry). Its model store and config live in /tmp/djl-serving-peer-PORT, made anew each start;
# the engine cache and the shapes in /tmp/djl-serving-peer-cache.
set -euo pipefail
model=$(readlink -f "$1") port=$2
here=$(cd "$(dirname "$0")" && pwd)
[[ -d "$here/target/lib" ]] || { echo "djl-serving: not built; run $here/build.sh first" >&2; exit 2; }
python=${PYTHON:-python3}
# DJL's engine cache (the native libraries it unpacks) and the model's shapes are kept between starts, so a
# cold start after the first counts DJL Serving's own start, not unpacking libtorch or asking Python for shapes.
cache=/tmp/djl-serving-peer-cache
mkdir -p "$cache"
shapes="$cache/shapes-$(echo "$model $(stat -c %Y "$model")" | md5sum | cut -c1-16)"
if [[ ! -s "$shapes" ]]; then
  "$python" - "$model" >"$shapes" <<'PY'
import sys, onnxruntime as ort
s = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
n, c, h, w = s.get_inputs()[0].shape
classes = s.get_outputs()[0].shape[-1]
if c != 3 or not all(isinstance(v, int) for v in (h, w, classes)):
    sys.exit(f"run.sh serves NCHW RGB classifiers with fixed sizes; this model takes {[n, c, h, w]} -> {classes}")
print(classes, h, w)
PY
fi
read -r classes height width <"$shapes"
home=/tmp/djl-serving-peer-$port
rm -rf "$home"
mkdir -p "$home/models/model" "$home/conf"
ln -s "$model" "$home/models/model/model.onnx"
seq 0 $((classes - 1)) > "$home/models/model/synset.txt"
cat > "$home/models/model/serving.properties" <<PROPS
engine=OnnxRuntime
translatorFactory=ai.djl.modality.cv.translator.ImageClassificationTranslatorFactory
width=$width
height=$height
resize=true
normalize=false
applySoftmax=false
topK=1
synsetFileName=synset.txt
minWorkers=2
maxWorkers=2
option.intraOpNumThreads=1
option.interOpNumThreads=1
PROPS
cat > "$home/conf/config.properties" <<PROPS
inference_address=http://127.0.0.1:$port
management_address=http://127.0.0.1:$((port + 2))
model_store=$home/models
load_models=ALL
PROPS
cd "$home"
export MODEL_SERVER_HOME="$home" DJL_CACHE_DIR="$cache/djl" OMP_NUM_THREADS=1
exec java -Dlog4j.configurationFile="$here/log4j2-quiet.xml" -cp "$here/target/classes:$here/target/lib/*" \
  ai.djl.serving.ModelServer -f "$home/conf/config.properties"
