// Validates every manifest under deploy/kubernetes against real schemas:
//  - core Kubernetes kinds with the kubernetes-models package (generated from the Kubernetes OpenAPI);
//  - ServiceMonitor with @kubernetes-models/prometheus-operator (generated from the operator's CRDs);
//  - KServe ServingRuntime / InferenceService with Ajv against the CRDs' openAPIV3Schema from
//    ../shared/schemas/kserve, rejecting properties the schema does not list (as kubectl
//    --validate=strict does), except under x-kubernetes-preserve-unknown-fields.
// Then checks that the objects fit together (ports, probes, grace period vs drain timeout, model path,
// the batch Job's sharding, part files and shared volumes).
// `node validate.mjs --self-test` also proves that broken manifests are rejected.
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { ConfigMap, PersistentVolumeClaim, Secret, Service } from "kubernetes-models/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { Job } from "kubernetes-models/batch/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

const here = dirname(fileURLToPath(import.meta.url));
const manifestsDir = resolve(here, "..");
// The shared schemas sit beside the checkout (../shared); look upwards so worktrees find them too.
function findSchemas() {
  if (process.env.KSERVE_SCHEMAS_DIR) return process.env.KSERVE_SCHEMAS_DIR;
  for (let dir = resolve(here, "../../.."); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dirname(dir), "shared", "schemas", "kserve");
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
const schemasDir = findSchemas();

const modelClasses = {
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/Service": Service,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor,
};
const crdFiles = {
  "serving.kserve.io/v1alpha1/ServingRuntime": "serving.kserve.io_servingruntimes.yaml",
  "serving.kserve.io/v1beta1/InferenceService": "serving.kserve.io_inferenceservices.yaml",
};

// Kubernetes prunes unknown fields instead of rejecting them, so the CRDs never say
// additionalProperties: false; add it wherever the schema lists its properties.
function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== "object") return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) out[k] = strict(v);
  if (out.properties && out.additionalProperties === undefined
      && out["x-kubernetes-preserve-unknown-fields"] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

function crdValidators() {
  if (!schemasDir || !existsSync(schemasDir)) {
    console.warn("SKIPPED KServe CRD validation: ../shared/schemas/kserve not found (set KSERVE_SCHEMAS_DIR)");
    return null;
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n) => Number.isInteger(n) });
  const validators = {};
  for (const [key, file] of Object.entries(crdFiles)) {
    const crd = parseAllDocuments(readFileSync(join(schemasDir, file), "utf8"))[0].toJS();
    const version = key.split("/")[1];
    const v = crd.spec.versions.find((x) => x.name === version);
    if (!v) throw new Error(`${file} has no version ${version}`);
    validators[key] = ajv.compile(strict(v.schema.openAPIV3Schema));
  }
  return validators;
}

function yamlFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (name === "validate" || name === "node_modules") continue;
    if (statSync(p).isDirectory()) files.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) files.push(p);
  }
  return files;
}

function loadObjects(dir) {
  const objects = [];
  for (const file of yamlFiles(dir)) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      const obj = doc.toJS();
      if (obj) objects.push({ file: relative(dir, file), obj });
    }
  }
  return objects;
}

/** Returns a list of problems for one object (empty when valid). */
function validateObject(obj, crds) {
  const key = `${obj.apiVersion}/${obj.kind}`;
  if (modelClasses[key]) {
    try {
      new modelClasses[key](obj).validate();
      return [];
    } catch (e) {
      return [e.message];
    }
  }
  if (crdFiles[key] && crds === null) return [];
  if (crds?.[key]) {
    const problems = [];
    try {
      new ObjectMeta(obj.metadata).validate();
    } catch (e) {
      problems.push(`metadata: ${e.message}`);
    }
    if (!crds[key](obj)) {
      for (const err of crds[key].errors) {
        const extra = err.params?.additionalProperty ? ` '${err.params.additionalProperty}'` : "";
        problems.push(`${err.instancePath || "/"} ${err.message}${extra}`);
      }
    }
    return problems;
  }
  return [`no schema for ${key}`];
}

const envValue = (container, name, configMaps) => {
  const direct = (container.env ?? []).find((e) => e.name === name);
  if (direct) return direct.value;
  for (const from of container.envFrom ?? []) {
    const cm = configMaps[from.configMapRef?.name];
    if (cm?.data?.[name] !== undefined) return cm.data[name];
  }
  return undefined;
};

/** The value after `flag` in an argument list (undefined when absent). */
const argValue = (args, flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The pod volume and mount that hold `path`, by the longest mount path that contains it. */
function mountOf(pod, container, path) {
  const mounts = (container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(m.mountPath.replace(/\/$/, "") + "/"))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  if (!mounts.length) return null;
  const volume = (pod.volumes ?? []).find((v) => v.name === mounts[0].name);
  return { mount: mounts[0], volume };
}

/**
 * The batch Job: an Indexed Job whose pod i runs `batch` on shard i of N, writing its own part file on a
 * volume every pod shares. What the Job schema cannot say.
 */
function checkBatchJob(job, { configMaps, secrets, claims, services }) {
  const problems = [];
  const where = `Job ${job.metadata.name}`;
  const spec = job.spec;
  const pod = spec.template.spec;
  const c = pod.containers[0];
  if (spec.completionMode !== "Indexed") problems.push(`${where}: completionMode is ${spec.completionMode ?? "NonIndexed (the default)"}, not Indexed: pods get no shard index`);
  const n = spec.completions;
  if (!Number.isInteger(n) || n < 1) problems.push(`${where}: completions must be a positive count of shards (got ${n})`);
  const parallelism = spec.parallelism ?? 1;
  if (parallelism > n) problems.push(`${where}: parallelism ${parallelism} above completions ${n}`);
  if (!["Never", "OnFailure"].includes(pod.restartPolicy)) problems.push(`${where}: restartPolicy must be Never or OnFailure (got ${pod.restartPolicy ?? "Always"})`);
  if (spec.backoffLimitPerIndex !== undefined && pod.restartPolicy !== "Never") problems.push(`${where}: backoffLimitPerIndex needs restartPolicy Never`);
  const args = c.args ?? [];
  if (args[0] !== "batch") problems.push(`${where}: container args must start with batch (the image's entrypoint runs model-server batch)`);
  if (c.command) problems.push(`${where}: command replaces the image's entrypoint (HOSTS, defaults, user drop); use args`);
  const declared = new Set((c.env ?? []).map((e) => e.name));
  for (const arg of args) {
    for (const [, name] of String(arg).matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
      if (!declared.has(name)) problems.push(`${where}: args use $(${name}) but the container does not declare it: Kubernetes would pass it literally`);
    }
  }
  const completionsEnv = envValue(c, "JOB_COMPLETIONS", configMaps);
  if (completionsEnv !== String(n)) problems.push(`${where}: JOB_COMPLETIONS is ${completionsEnv} but completions is ${n}: shards would overlap or be missed`);
  const output = argValue(args, "--output");
  const input = argValue(args, "--input");
  if (!output?.includes("$(JOB_COMPLETION_INDEX)")) problems.push(`${where}: --output ${output} does not name the completion index: pods would write one file`);
  if (!input) problems.push(`${where}: no --input`);
  const shared = (path, what, writable) => {
    const m = mountOf(pod, c, path);
    if (!m?.volume) return problems.push(`${where}: ${what} ${path} is on no mounted volume`);
    const claimName = m.volume.persistentVolumeClaim?.claimName;
    const claim = claims[claimName];
    if (!claim) return problems.push(`${where}: ${what} ${path} is not on a PersistentVolumeClaim of these manifests (volume ${m.volume.name})`);
    const modes = claim.spec.accessModes ?? [];
    const ok = writable ? modes.includes("ReadWriteMany") : modes.some((x) => x === "ReadOnlyMany" || x === "ReadWriteMany");
    if (!ok) problems.push(`${where}: ${what} claim ${claimName} is ${modes.join(",")}: pods on several nodes need ${writable ? "ReadWriteMany" : "ReadOnlyMany or ReadWriteMany"}`);
    if (writable && m.mount.readOnly) problems.push(`${where}: ${what} ${path} is mounted read-only`);
  };
  if (output) shared(output, "--output", true);
  if (input) shared(input, "--input", false);
  const user = c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
  if (user !== 10001) problems.push(`${where}: runs as uid ${user}, not the runtime user 10001`);
  for (const kind of ["requests", "limits"]) {
    for (const r of ["cpu", "memory"]) if (!c.resources?.[kind]?.[r]) problems.push(`${where}: no ${kind}.${r}`);
  }
  if (!args.includes("--metrics-port") && (c.livenessProbe || c.readinessProbe || c.startupProbe)) problems.push(`${where}: probes on a batch pod that serves no HTTP`);
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef && !configMaps[from.configMapRef.name]) problems.push(`${where}: ConfigMap ${from.configMapRef.name} missing`);
    if (from.secretRef && !secrets.has(from.secretRef.name)) problems.push(`${where}: Secret ${from.secretRef.name} missing`);
  }
  const labels = spec.template.metadata?.labels ?? {};
  for (const svc of services) {
    if (Object.entries(svc.spec.selector ?? {}).every(([k, v]) => labels[k] === v)) problems.push(`${where}: Service ${svc.metadata.name} selects the batch pods`);
  }
  return problems;
}

/** How the objects fit together: what a schema cannot say. */
function crossCheck(objects) {
  const problems = [];
  const byKind = (k) => objects.filter((o) => o.obj.kind === k).map((o) => o.obj);
  const configMaps = Object.fromEntries(byKind("ConfigMap").map((c) => [c.metadata.name, c]));
  const secrets = new Set(byKind("Secret").map((s) => s.metadata.name));
  const claims = Object.fromEntries(byKind("PersistentVolumeClaim").map((c) => [c.metadata.name, c]));
  for (const job of byKind("Job")) {
    problems.push(...checkBatchJob(job, { configMaps, secrets, claims, services: byKind("Service") }));
  }
  for (const d of byKind("Deployment")) {
    const pod = d.spec.template.spec;
    const c = pod.containers[0];
    const where = `Deployment ${d.metadata.name}`;
    if (!c.ports?.some((p) => p.containerPort === 5000 && p.name === "http")) problems.push(`${where}: no port 5000 named http`);
    if (c.readinessProbe?.httpGet?.path !== "/health/ready") problems.push(`${where}: readiness probe is not /health/ready`);
    if (c.livenessProbe?.httpGet?.path !== "/health/live") problems.push(`${where}: liveness probe is not /health/live`);
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef && !configMaps[from.configMapRef.name]) problems.push(`${where}: ConfigMap ${from.configMapRef.name} missing`);
      if (from.secretRef && !secrets.has(from.secretRef.name)) problems.push(`${where}: Secret ${from.secretRef.name} missing`);
    }
    const drainMs = Number(envValue(c, "DRAIN_TIMEOUT_MS", configMaps) ?? NaN);
    const preStopS = Number(c.lifecycle?.preStop?.exec?.command?.[1] ?? 0);
    const graceS = pod.terminationGracePeriodSeconds ?? 30;
    if (!(graceS * 1000 > drainMs + preStopS * 1000)) {
      problems.push(`${where}: terminationGracePeriodSeconds ${graceS}s is not above preStop ${preStopS}s + drain ${drainMs}ms`);
    }
    const ann = d.spec.template.metadata.annotations ?? {};
    if (ann["prometheus.io/scrape"] !== "true" || ann["prometheus.io/path"] !== "/metrics") problems.push(`${where}: no Prometheus scrape annotations`);
    const gpu = c.resources?.limits?.["nvidia.com/gpu"];
    if (d.metadata.labels?.["app.kubernetes.io/component"] === "gpu" && !gpu) problems.push(`${where}: GPU variant without nvidia.com/gpu limit`);
    const labels = d.spec.template.metadata.labels;
    for (const s of byKind("Service")) {
      if (Object.entries(s.spec.selector).every(([k, v]) => labels[k] === v)) {
        if (!s.spec.ports.some((p) => p.port === 5000 && p.targetPort === "http")) problems.push(`Service ${s.metadata.name}: not port 5000 -> http`);
      }
    }
  }
  const deployments = new Set(byKind("Deployment").map((d) => d.metadata.name));
  for (const h of byKind("HorizontalPodAutoscaler")) {
    if (!deployments.has(h.spec.scaleTargetRef.name)) problems.push(`HPA ${h.metadata.name}: target ${h.spec.scaleTargetRef.name} missing`);
  }
  for (const m of byKind("ServiceMonitor")) {
    const svc = byKind("Service").find((s) => Object.entries(m.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
    if (!svc) problems.push(`ServiceMonitor ${m.metadata.name}: selects no Service`);
    else if (!m.spec.endpoints.every((e) => svc.spec.ports.some((p) => p.name === e.port))) problems.push(`ServiceMonitor ${m.metadata.name}: port not on the Service`);
  }
  const runtimes = Object.fromEntries(byKind("ServingRuntime").map((r) => [r.metadata.name, r]));
  for (const r of Object.values(runtimes)) {
    const formats = new Set(r.spec.supportedModelFormats.map((f) => f.name));
    for (const f of ["onnx", "pytorch", "tensorflow", "keras"]) if (!formats.has(f)) problems.push(`ServingRuntime ${r.metadata.name}: format ${f} not declared`);
    const c = r.spec.containers[0];
    if (r.spec.multiModel) {
      if (!envValue(c, "MODEL_REPOSITORY", {})) problems.push(`ServingRuntime ${r.metadata.name}: multiModel without MODEL_REPOSITORY`);
      if (!["explicit", "poll"].includes(envValue(c, "MODEL_CONTROL_MODE", {}))) problems.push(`ServingRuntime ${r.metadata.name}: multiModel needs MODEL_CONTROL_MODE explicit or poll (models are loaded on request)`);
    } else if (envValue(c, "MODEL_PATH", {}) !== "/mnt/models") problems.push(`ServingRuntime ${r.metadata.name}: MODEL_PATH is not /mnt/models (KServe's storage mount)`);
    const port = Number(envValue(c, "PORT", {}));
    if (!c.ports?.some((p) => p.containerPort === port)) problems.push(`ServingRuntime ${r.metadata.name}: PORT ${port} is not a container port`);
  }
  for (const isvc of byKind("InferenceService")) {
    const m = isvc.spec.predictor.model;
    const r = runtimes[m.runtime];
    if (!r) problems.push(`InferenceService ${isvc.metadata.name}: runtime ${m.runtime} missing`);
    else if (!r.spec.supportedModelFormats.some((f) => f.name === m.modelFormat.name)) problems.push(`InferenceService ${isvc.metadata.name}: format ${m.modelFormat.name} not served by ${m.runtime}`);
    if (!m.storageUri) problems.push(`InferenceService ${isvc.metadata.name}: no storageUri`);
  }
  return problems;
}

function validateAll(objects, crds) {
  const problems = [];
  for (const { file, obj } of objects) {
    for (const p of validateObject(obj, crds)) problems.push(`${file} ${obj.kind}/${obj.metadata?.name}: ${p}`);
  }
  // Cross-checks read fields the schemas guarantee; only run them on schema-valid objects.
  return problems.length ? problems : crossCheck(objects);
}

// Broken copies of the manifests that must each be rejected.
const mutations = [
  ["misspelt KServe field", "ServingRuntime", (o) => { o.spec.supportedModelFormat = o.spec.supportedModelFormats; }],
  ["InferenceService storageUri as a number", "InferenceService", (o) => { o.spec.predictor.model.storageUri = 42; }],
  ["containerPort as text", "Deployment", (o) => { o.spec.template.spec.containers[0].ports[0].containerPort = "http"; }],
  ["Deployment without a selector", "Deployment", (o) => { delete o.spec.selector; }],
  ["HPA metric without target", "HorizontalPodAutoscaler", (o) => { delete o.spec.metrics[0].resource.target; }],
  ["grace period below the drain timeout", "Deployment", (o) => { o.spec.template.spec.terminationGracePeriodSeconds = 10; }],
  ["ServiceMonitor endpoints not a list", "ServiceMonitor", (o) => { o.spec.endpoints = { port: "http" }; }],
  ["InferenceService minReplicas as text", "InferenceService", (o) => { o.spec.predictor.minReplicas = "one"; }],
  ["label value not a string", "ServingRuntime", (o) => { o.metadata.labels = { tier: { nested: true } }; }],
  ["Job not Indexed", "Job", (o) => { o.spec.completionMode = "NonIndexed"; }],
  ["Job completionMode misspelt", "Job", (o) => { o.spec.completionMode = "indexed"; }],
  ["Job completions as text", "Job", (o) => { o.spec.completions = "four"; }],
  ["Job parallelism above completions", "Job", (o) => { o.spec.parallelism = o.spec.completions + 1; }],
  ["JOB_COMPLETIONS not the completions", "Job", (o) => { o.spec.completions += 1; o.spec.parallelism = o.spec.completions; }],
  ["part file without the completion index", "Job", (o) => { const a = o.spec.template.spec.containers[0].args; a[a.indexOf("--output") + 1] = "/results/part.jsonl"; }],
  ["args with an undeclared variable", "Job", (o) => { const a = o.spec.template.spec.containers[0].args; a[a.indexOf("--output") + 1] = "/results/part-$(JOB_INDEX).jsonl"; }],
  ["part files on the container's own disk", "Job", (o) => { const a = o.spec.template.spec.containers[0].args; a[a.indexOf("--output") + 1] = "/var/out/part-$(JOB_COMPLETION_INDEX).jsonl"; }],
  ["results claim ReadWriteOnce", "PersistentVolumeClaim", (o) => { o.spec.accessModes = ["ReadWriteOnce"]; }, (o) => o.metadata.name.endsWith("-results")],
  ["Job restartPolicy Always", "Job", (o) => { o.spec.template.spec.restartPolicy = "Always"; }],
  ["Job as root", "Job", (o) => { o.spec.template.spec.securityContext.runAsUser = 0; }],
  ["batch pods selected by the Service", "Job", (o) => { o.spec.template.metadata.labels["app.kubernetes.io/name"] = "model-runtime"; }],
];

function selfTest(objects, crds) {
  let failed = 0;
  for (const [what, kind, mutate, which = () => true] of mutations) {
    if (crds === null && (kind === "ServingRuntime" || kind === "InferenceService")) continue;
    const copy = structuredClone(objects);
    const target = copy.find((o) => o.obj.kind === kind && which(o.obj));
    mutate(target.obj);
    const problems = validateAll(copy, crds);
    if (problems.length === 0) {
      console.error(`self-test FAILED: ${what} was accepted`);
      failed++;
    } else {
      console.log(`self-test ok: ${what} rejected (${problems[0].slice(0, 140)})`);
    }
  }
  return failed;
}

const objects = loadObjects(manifestsDir);
const crds = crdValidators();
const problems = validateAll(objects, crds);
for (const { file, obj } of objects) console.log(`checked ${file}: ${obj.apiVersion} ${obj.kind} ${obj.metadata?.name}`);
for (const p of problems) console.error(`INVALID ${p}`);
let failed = problems.length;
if (process.argv.includes("--self-test")) failed += selfTest(objects, crds);
if (failed) {
  console.error(`${failed} problem(s)`);
  process.exit(1);
}
console.log(`${objects.length} objects valid`);
