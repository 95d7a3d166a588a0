package com.modelfactory.runtime.config;

import java.util.List;
import java.util.Locale;

/**
 * One configuration setting: its key in model-config.yaml, its environment variable, its command-line
 * flag, its default and what it does. {@link #ALL} is the single table that --help prints and that the
 * loader consults, so a setting cannot exist in one place and not the others.
 */
public record Option(String key, String env, String flag, String defaultValue, String section, String help) {

    static Option of(String section, String key, String env, String defaultValue, String help) {
        return new Option(key, env, "--" + key.replace('_', '-'), defaultValue, section, help);
    }

    public static final List<Option> ALL = List.of(
            // model
            of("model", "model", "MODEL_PATH", null,
                    "model file, model folder, archive, or file:/http(s): URL; empty = model store or bundled default"),
            of("model", "model_name", "MODEL_NAME", null, "name served under /v2/models/{name}; default from the file name"),
            of("model", "config", "MODEL_CONFIG", null, "path of model-config.yaml; default: beside the model"),
            of("model", "model_format", "MODEL_FORMAT", null,
                    "force the format: onnx, torchscript, keras_h5, tf_savedmodel, tf_frozen_graph, tf_checkpoint, pmml"),
            of("model", "device", "DEVICE", "auto", "auto, cpu, cuda or cuda:N (auto falls back to the CPU)"),
            of("model", "signature", "SIGNATURE", null, "SavedModel signature to serve (default serving_default)"),
            of("model", "inputs", "MODEL_INPUTS", null,
                    "input specs [{name, datatype, shape}] (yaml list; env: name:FP32:1x3x224x224,...)"),
            of("model", "outputs", "MODEL_OUTPUTS", null, "output names or specs (yaml list; env: comma-separated)"),
            of("model", "labels", "LABELS_PATH", null, "labels file, one per line; default labels.txt beside the model"),
            of("model", "intra_op_threads", "INTRA_OP_THREADS", "0",
                    "threads one inference uses; 0 = auto: on a CPU up to 2 workers x 1 thread; an ONNX model taking "
                            + ">= 2 ms an item also gets a second copy on every core, which runs a request while no "
                            + "other is in the engine, and then one worker per core; on a GPU cores / instances"),
            of("model", "inter_op_threads", "INTER_OP_THREADS", "0", "threads for parallel graph branches (0 = engine default)"),
            of("model", "native_cache_dir", "MODEL_RUNTIME_NATIVE_DIR", null,
                    "where engine native libraries are extracted once (default ~/.cache/model-runtime/natives)"),
            of("model", "cuda_visible_devices", "CUDA_VISIBLE_DEVICES", null,
                    "the GPUs CUDA may use (as CUDA reads it); -1 hides them all, so device auto does not try CUDA"),
            of("model", "djl_cache_dir", "DJL_CACHE_DIR", null,
                    "where DJL unpacks libtorch (default <native_cache_dir>/djl)"),
            of("model", "engine_options", "ENGINE_OPTIONS", null,
                    "engine session settings (yaml map; env: name:value,...): ONNX Runtime session config entries "
                            + "(session.intra_op.allow_spinning:1, ...; a session of several threads does not spin unless "
                            + "set), ort.cpu_arena / ort.memory_pattern: true|false"),
            // model store
            of("store", "xquery_addr", "XQUERY_ADDR", null, "model store base URL"),
            of("store", "model_id", "MODEL_ID", null, "model id sent to the model store"),
            of("store", "model_version", "MODEL_VERSION", null, "model version sent to the model store"),
            of("store", "guid", "GUID", null, "request GUID sent to the model store (never logged)"),
            of("store", "model_url_template", "MODEL_URL_TEMPLATE",
                    "{XQUERY_ADDR}/model/download?modelId={MODEL_ID}&modelVersion={MODEL_VERSION}&guid={GUID}",
                    "download URL template"),
            of("store", "store_headers", "MODEL_STORE_HEADERS", null,
                    "extra request headers (yaml map; env: Name:value,Name2:value2); never logged"),
            of("store", "store_ca_file", "STORE_CA_FILE", null,
                    "PEM CA certificate(s) the model store's https certificate may chain to, besides the system's"),
            of("store", "store_cert_file", "STORE_CERT_FILE", null, "PEM client certificate for the model store"),
            of("store", "store_key_file", "STORE_KEY_FILE", null, "PEM private key of store_cert_file"),
            of("store", "model_dir", "MODEL_DIR", null,
                    "cache of unpacked models, keyed by id/version (default /models if writable, else ~/.cache/model-runtime/models)"),
            of("store", "model_sha256", "MODEL_SHA256", null, "expected SHA-256 of the downloaded archive"),
            of("store", "model_version_dir", "MODEL_VERSION_DIR", null, "numbered version folder to serve (default: highest)"),
            of("store", "model_file", "MODEL_FILE", null, "model file to serve when an archive holds several"),
            of("store", "download_connect_timeout_ms", "DOWNLOAD_CONNECT_TIMEOUT_MS", "10000", "model store connect timeout"),
            of("store", "download_read_timeout_ms", "DOWNLOAD_READ_TIMEOUT_MS", "60000", "model store read timeout"),
            of("store", "download_retries", "DOWNLOAD_RETRIES", "5",
                    "retries on connection errors, timeouts, 5xx, 408/429 and truncated bodies (never other 4xx)"),
            of("store", "download_retry_backoff_ms", "DOWNLOAD_RETRY_BACKOFF_MS", "1000",
                    "wait before the first retry; doubled each retry, with jitter"),
            of("store", "download_retry_max_backoff_ms", "DOWNLOAD_RETRY_MAX_BACKOFF_MS", "30000",
                    "longest wait between download attempts"),
            of("store", "download_progress_interval_ms", "DOWNLOAD_PROGRESS_INTERVAL_MS", "5000",
                    "how often download progress (bytes, total, percent, rate) is logged"),
            of("store", "max_archive_entries", "MAX_ARCHIVE_ENTRIES", "100000", "archive entry limit (zip bombs)"),
            of("store", "max_unpacked_bytes", "MAX_UNPACKED_BYTES", "32g",
                    "total unpacked size limit (zip bombs; bytes, or with k/m/g units); lowered to what fits on "
                            + "MODEL_DIR's disk, and unpacking stops as soon as it is crossed"),
            of("store", "max_compression_ratio", "MAX_COMPRESSION_RATIO", "200",
                    "refuse archives, and entries over 8 MiB, that inflate more than this many times (zip bombs)"),
            // server
            of("server", "host", "HOST", "0.0.0.0", "address to listen on"),
            of("server", "port", "PORT", "5000", "HTTP port"),
            of("server", "health_port", "HEALTH_PORT", "0",
                    "a plain port serving /health/live and /health/ready only (for probes when the main ports ask for "
                            + "certificates or tokens); 0 = none"),
            of("server", "tls_cert_file", "TLS_CERT_FILE", null,
                    "PEM certificate (its chain after it) for TLS on the HTTP and gRPC ports, with tls_key_file; "
                            + "re-read when it changes"),
            of("server", "tls_key_file", "TLS_KEY_FILE", null, "PEM private key (PKCS#8 or PKCS#1) of tls_cert_file"),
            of("server", "tls_client_ca_file", "TLS_CLIENT_CA_FILE", null,
                    "PEM CA certificate(s) client certificates must chain to: mutual TLS"),
            of("server", "tls_client_auth", "TLS_CLIENT_AUTH", "required",
                    "with tls_client_ca_file: required (no certificate, no connection) or optional"),
            of("server", "log_level", "LOG_LEVEL", "info", "error, warn, info, debug or trace (flag or environment only: "
                    + "set before the configuration is read)"),
            of("server", "log_format", "LOG_FORMAT", "text",
                    "text (one line per event) or json (one JSON object per line; the access log's fields as keys); "
                            + "flag or environment only"),
            of("server", "access_log", "ACCESS_LOG", "false",
                    "one log line per HTTP request (logger 'access'): route, model, status, bytes, latency, client"),
            of("server", "access_log_max_per_second", "ACCESS_LOG_MAX_PER_SECOND", "200",
                    "under load the access log writes at most this many lines a second and then one line saying how "
                            + "many it left out (0 = every request)"),
            of("server", "latency_buckets", "LATENCY_BUCKETS", null,
                    "bucket bounds in seconds of every latency histogram, ascending (yaml list; env: comma-separated); "
                            + "default 18 from 0.0001 to 60, about 2.5x apart: fewer for fewer series, or bounds at your "
                            + "SLO thresholds"),
            of("server", "auth_tokens_file", "AUTH_TOKENS_FILE", null,
                    "YAML list of bearer tokens (token: or sha256:) with the endpoint groups each opens (inference, "
                            + "metadata, metrics; health is always open); re-read when it changes; unset = no check"),
            of("server", "grpc_port", "GRPC_PORT", "8081",
                    "gRPC-only port (inference.GRPCInferenceService; PORT serves gRPC too, over HTTP/2); 0 = none"),
            of("server", "max_body_bytes", "MAX_BODY_BYTES", "64m",
                    "largest accepted request body, after decompression (413 above; bytes, or with k/m/g units)"),
            of("server", "drain_timeout_ms", "DRAIN_TIMEOUT_MS", "30000",
                    "on SIGTERM: not ready at once, new requests 503, accepted ones may finish for this long, then exit 0"),
            of("server", "header_timeout_ms", "HEADER_TIMEOUT_MS", "10000",
                    "a connection must send a request's headers within this long of opening or of its last response "
                            + "(also the keep-alive idle timeout), else it is closed"),
            of("server", "body_timeout_ms", "BODY_TIMEOUT_MS", "60000",
                    "a request's body must arrive within this long of its headers, else 408 and the connection closes"),
            // model repository (many models in one process)
            of("repository", "model_repository", "MODEL_REPOSITORY", null,
                    "serve every model of this folder, or of these comma-separated folders (<name>/<version>/<model>, "
                            + "an optional <name>/model-config.yaml) instead of one model"),
            of("repository", "store_models", "STORE_MODELS", null,
                    "repository models from the model store: name=MODEL_ID:MODEL_VERSION,... (fetched with the store "
                            + "settings, cached in MODEL_DIR)"),
            of("repository", "model_control_mode", "MODEL_CONTROL_MODE", "none",
                    "none: load the repository's models at start; explicit: load and unload through the repository "
                            + "API (POST /v2/repository/models/{name}/load, gRPC RepositoryModelLoad), load_models at "
                            + "start; poll: also re-scan every repository_poll_ms, loading new versions, unloading removed ones"),
            of("repository", "load_models", "LOAD_MODELS", null,
                    "explicit mode: models to load at start (comma-separated names, * = all)"),
            of("repository", "repository_poll_ms", "REPOSITORY_POLL_MS", "15000", "poll mode: how often the repository is scanned"),
            of("repository", "version_policy", "VERSION_POLICY", "latest:1",
                    "which numbered versions of a model are served: latest:N, all or specific:V,V..."),
            of("repository", "model_memory_budget", "MODEL_MEMORY_BUDGET", "0",
                    "host memory the repository's models may take together (e.g. 6g; 0 = no budget); a load past it "
                            + "unloads the least recently used idle model first, or is refused (memory_budget_policy)"),
            of("repository", "gpu_memory_budget", "GPU_MEMORY_BUDGET", "0",
                    "GPU memory the repository's models may take on each GPU (e.g. 20g; 0 = no budget): charged what "
                            + "the GPU's used memory grew by while a model loaded onto it (nvidia-smi), at least its files"),
            of("repository", "memory_budget_policy", "MEMORY_BUDGET_POLICY", "evict",
                    "evict: unload least recently used idle models to make room; refuse: refuse the load"),
            of("repository", "model_memory", "MODEL_MEMORY", "0",
                    "what one model is counted against the budget (set in its model-config.yaml, e.g. 300m); 0 = "
                            + "measured: the process's RSS growth while it loaded, at least its files' size"),
            of("repository", "required", "MODEL_REQUIRED", "false",
                    "a repository model the server is not ready without (set in the model's model-config.yaml)"),
            // batching
            of("batching", "max_batch_size", "MAX_BATCH_SIZE", "0",
                    "most items run as one batch (1 = no batching; capped by a fixed batch dimension); 0 = auto: 32, "
                            + "or on CPU what one batch computes in ~12 ms at the warm-up's per-item time (measured: "
                            + "larger batches of a compute-bound model add latency and memory, no throughput)"),
            of("batching", "max_request_items", "MAX_REQUEST_ITEMS", "4096",
                    "most items (first dimension) one request may carry, else 413; a request over max_batch_size runs "
                            + "as batches of at most that many, its answer reassembled in order"),
            of("batching", "max_batch_delay_ms", "MAX_BATCH_DELAY_MS", "2",
                    "how long a partial batch waits for more requests while some are still being read or decoded "
                            + "(0 = take what is queued; a lone request never waits)"),
            of("batching", "queue_capacity", "QUEUE_CAPACITY", "512",
                    "requests accepted and not yet answered (decoding, queued or running) before 503 with "
                            + "Retry-After (bounds the tensors held: capacity x request size; bodies still "
                            + "arriving are bounded by MAX_BODY_BYTES per connection)"),
            of("batching", "instances", "INSTANCES", "0",
                    "worker threads running batches, each with its own predictor; 0 = auto: 1 on a GPU, up to 2 on a "
                            + "CPU (see intra_op_threads); setting either fixes both (no every-core copy)"),
            of("batching", "request_timeout_ms", "REQUEST_TIMEOUT_MS", "30000",
                    "deadline of a request: 504 after it, and a queued request past it never reaches the engine"),
            // image preprocessing
            of("image", "layout", "IMAGE_LAYOUT", "auto", "NCHW, NHWC, or auto (from the input shape)"),
            of("image", "color", "IMAGE_COLOR", "auto", "rgb, bgr, grayscale, or auto (from the channel count)"),
            of("image", "width", "IMAGE_WIDTH", "0", "resize width (0 = from the input shape, else the image's own)"),
            of("image", "height", "IMAGE_HEIGHT", "0", "resize height (0 = from the input shape, else the image's own)"),
            of("image", "scale", "IMAGE_SCALE", null, "multiplier for pixel values (default 1/255 for float inputs, 1 for integer)"),
            of("image", "mean", "IMAGE_MEAN", null, "per-channel mean subtracted after scaling (list)"),
            of("image", "std", "IMAGE_STD", null, "per-channel std divided after subtracting the mean (list)"),
            // the auto values and the memory arithmetic behind them: image/ImageInput.autoMaxPixels
            of("image", "max_image_pixels", "MAX_IMAGE_PIXELS", "0",
                    "largest width x height an image's header may state (413 above, checked before decoding); "
                            + "0 = auto: 24000000 for a fixed-size model input (large images are decoded "
                            + "subsampled), 4000000 for one that takes images at their own size"),
            of("image", "exif_orientation", "IMAGE_EXIF_ORIENTATION", "true",
                    "turn images upright by their EXIF orientation (JPEG, PNG, WebP, TIFF); false = as stored"),
            of("image", "resize", "IMAGE_RESIZE", "auto",
                    "stretch (plain resize to the input) or letterbox (keep the aspect ratio, pad); auto = letterbox "
                            + "for Ultralytics models, else stretch"),
            of("image", "letterbox_align", "IMAGE_LETTERBOX_ALIGN", "center",
                    "where a letterboxed image sits: center (Ultralytics, MMDetection) or top_left (YOLOX)"),
            of("image", "pad_value", "IMAGE_PAD_VALUE", "114", "letterbox padding, a channel value 0-255 before scale/mean/std"),
            // task: what the outputs are turned into (answer package)
            of("task", "task", "TASK", "auto",
                    "classification, detection, semantic_segmentation, instance_segmentation, tabular or raw; auto = "
                            + "recognised from the model where it says so unambiguously, else raw"),
            of("task", "decoder", "DECODER", null,
                    "output layout: yolov8, yolov5, yolox, end2end, mmdeploy, tf_od_api, boxes_scores, yolov8_seg, "
                            + "semantic, or the name of a decoder from a jar (decoder_path); empty = recognised"),
            of("task", "conf_threshold", "CONF_THRESHOLD", "0.25", "detections below this score are dropped (0-1)"),
            of("task", "iou_threshold", "IOU_THRESHOLD", "0.45", "NMS drops a box overlapping a better one above this IoU (0-1)"),
            of("task", "max_det", "MAX_DET", "300", "most detections an image keeps"),
            of("task", "agnostic_nms", "AGNOSTIC_NMS", "false", "NMS across classes instead of per class"),
            of("task", "scores", "SCORES", "auto",
                    "classifier scores: softmax, raw, or auto (rows that are already probabilities as they are, else softmax)"),
            of("task", "postprocess", "POSTPROCESS", "false",
                    "v2 REST/gRPC answer detection_boxes/scores/classes/num_detections unless a request says "
                            + "postprocess false (default: the model's tensors unless it says true)"),
            of("task", "decoder_path", "DECODER_PATH", null,
                    "jar, or folder of jars, with OutputDecoder implementations (ServiceLoader); default: a "
                            + "decoders/ folder beside the model"),
            // batch mode (`model-server batch`): offline inference over a dataset
            of("batch", "input", "BATCH_INPUT", null,
                    "folder of images (recursive, recognised by content) or index file (one path per line, "
                            + "relative to its folder); empty = the YMIR task in ymir_env_file"),
            of("batch", "output", "BATCH_OUTPUT", null, "JSON Lines file, one record per image"),
            of("batch", "top_k", "BATCH_TOP_K", "0",
                    "write the K best classes of the first output with labels instead of the outputs (0 = outputs)"),
            of("batch", "resume", "BATCH_RESUME", "false",
                    "skip the images already recorded in --output (a bare --resume means true)"),
            of("batch", "shard", "BATCH_SHARD", null,
                    "i/N: run only shard i (0-based) of N of the sorted input; default from JOB_COMPLETION_INDEX"),
            of("batch", "job_completion_index", "JOB_COMPLETION_INDEX", null,
                    "this pod's index in a Kubernetes Indexed Job: the shard, with job_completions"),
            of("batch", "job_completions", "JOB_COMPLETIONS", null,
                    "the Indexed Job's completions: the number of shards"),
            of("batch", "metrics_port", "BATCH_METRICS_PORT", null,
                    "serve Prometheus /metrics on this port while the batch runs (0 = any free port; empty = none)"),
            of("batch", "metrics_host", "BATCH_METRICS_HOST", "127.0.0.1", "address the batch /metrics listens on"),
            of("batch", "progress_interval_ms", "BATCH_PROGRESS_INTERVAL_MS", "5000",
                    "how often progress is logged (without a terminal) and the YMIR monitor file rewritten"),
            of("batch", "ymir_env_file", "YMIR_ENV_FILE", "/in/env.yaml",
                    "YMIR's task file: with run_infer true and no --input, batch runs as a YMIR infer executor"));

    /**
     * A boolean setting off by default may be given as a bare flag ({@code --resume}): with no value
     * after it, or another flag next, it means true.
     */
    public boolean bareFlag() {
        return "false".equals(defaultValue);
    }

    /** Every setting's yaml key, for "did you mean". */
    public static List<String> keys() {
        return ALL.stream().map(Option::key).toList();
    }

    /** Every setting's flag, for "did you mean". */
    public static List<String> flags() {
        return ALL.stream().map(Option::flag).toList();
    }

    public static Option byKey(String key) {
        for (Option o : ALL) {
            if (o.key.equals(key)) {
                return o;
            }
        }
        return null;
    }

    public static Option byFlag(String flag) {
        String f = flag.toLowerCase(Locale.ROOT);
        for (Option o : ALL) {
            if (o.flag.equals(f)) {
                return o;
            }
        }
        return null;
    }
}
