"""Checks a detection service's answer for bus.jpg against expected.json beside the model: the same
detections (matched greedily by class and IoU >= 0.9, score within 0.03), none missing, none extra.

    python3 check_python_service.py [URL]        default http://127.0.0.1:5612/predict (a running service)
    python3 check_python_service.py --in-process  runs python_service's pipeline here (needs the venv)

Stdlib only when given a URL; bench_detection.py uses check() on every server before measuring it.
env: DET_MODEL_DIR  the folder with expected.json and bus.jpg (default: the model's folder, see README.md)
"""
import json
import os
import sys
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL_DIR = os.path.abspath(os.environ.get(
    "DET_MODEL_DIR", os.path.join(ROOT, "..", "shared", "models", "vision", "yolov8n_int8_320")))


def load_expected(model_dir=MODEL_DIR, case="bus.jpg"):
    with open(os.path.join(model_dir, "expected.json")) as f:
        exp = json.load(f)
    c = exp["cases"][case]
    tol = exp.get("tolerances_suggested", {})
    return dict(path=os.path.join(model_dir, c["image"]), height=c["image_size_hw"][0], width=c["image_size_hw"][1],
                detections=c["detections"], iou_min=tol.get("box_iou_min", 0.9), score_abs=tol.get("score_abs", 0.03))


def iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def compare(answer, expected):
    """@return a list of problems (empty when the answer matches)"""
    problems = []
    if not isinstance(answer, dict) or not isinstance(answer.get("detections"), list):
        return [f"no 'detections' list in the answer: {str(answer)[:200]}"]
    image = answer.get("image") or {}
    if (image.get("width"), image.get("height")) != (expected["width"], expected["height"]):
        problems.append(f"image size {image.get('width')}x{image.get('height')}, "
                        f"expected {expected['width']}x{expected['height']}")
    if answer.get("task") not in (None, "detection"):
        problems.append(f"task is {answer.get('task')!r}")
    got = list(answer["detections"])
    for e in expected["detections"]:
        best, best_iou = None, 0.0
        for g in got:
            if g.get("class_id") == e["class_id"]:
                v = iou(g["box"], e["box"])
                if v > best_iou:
                    best, best_iou = g, v
        if best is None or best_iou < expected["iou_min"]:
            problems.append(f"missing {e['label']} {e['score']:.3f} {e['box']} (best IoU {best_iou:.3f})")
            continue
        got.remove(best)
        if abs(best["score"] - e["score"]) > expected["score_abs"]:
            problems.append(f"{e['label']} {e['box']}: score {best['score']:.4f}, expected {e['score']:.4f}")
        if best.get("label") not in (None, e["label"]):
            problems.append(f"label {best.get('label')!r}, expected {e['label']!r}")
    for g in got:
        problems.append(f"extra detection {g}")
    return problems


def post_image(url, path, content_type="image/jpeg", timeout=30):
    with open(path, "rb") as f:
        body = f.read()
    req = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def check(url, model_dir=MODEL_DIR):
    """POSTs bus.jpg to url. @return (problems, answer dict or None)"""
    expected = load_expected(model_dir)
    try:
        status, body = post_image(url, expected["path"])
    except (urllib.error.URLError, OSError) as e:
        return [f"no answer from {url}: {e}"], None
    try:
        answer = json.loads(body)
    except ValueError:
        return [f"HTTP {status}, not JSON: {body[:200]!r}"], None
    if status != 200:
        return [f"HTTP {status}: {str(answer)[:200]}"], answer
    return compare(answer, expected), answer


def main(argv):
    expected = load_expected()
    if argv and argv[0] == "--in-process":
        sys.path.insert(0, HERE)
        import python_service
        with open(expected["path"], "rb") as f:
            w, h, dets = python_service.detector.detect(f.read())
        answer = dict(model_name=python_service.detector.model_name, task="detection",
                      image=dict(width=w, height=h), detections=dets)
        problems = compare(answer, expected)
    else:
        url = argv[0] if argv else "http://127.0.0.1:5612/predict"
        problems, answer = check(url)
    if answer:
        for d in answer.get("detections", []):
            print(f"  {d.get('label')!s:12} {d.get('score', 0):.4f} {d.get('box')}")
    if problems:
        print("MISMATCH against expected.json:\n  " + "\n  ".join(problems))
        return 1
    print(f"OK: {len(expected['detections'])} detections match expected.json "
          f"(IoU >= {expected['iou_min']}, score within {expected['score_abs']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
