#!/usr/bin/env python3
"""A loopback stand-in for the factory's model store, for the CI image test (deploy/ci/image-test.sh).

Serves one model folder as a zip archive on the runtime's default store route
    GET /model/download?modelId=ID&modelVersion=VERSION&guid=GUID
(MODEL_URL_TEMPLATE's default), 200 only for the configured id, version and guid; 403 for another guid,
404 for another model. The archive wraps the files in a folder, as store uploads often do, so the
runtime's model-root search is exercised too. Every request is logged as one line on stdout:
    <method> <path> <status> <bytes>
so the test can prove the container downloaded the model. Binds 127.0.0.1 on a free port and writes the
port to --port-file once it listens (no race between choosing a port and binding it).

Usage: model-store.py --model-dir DIR --model-id ID --model-version V --guid G --port-file FILE
"""
import argparse
import io
import json
import os
import sys
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def zip_folder(folder, wrapper):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                archive.write(path, f"{wrapper}/{name}")
    return buffer.getvalue()


def handler_for(args, archive):
    class StoreHandler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path != "/model/download":
                return self.answer(404, {"error": f"no route {url.path}"})
            if query.get("modelId") != args.model_id or query.get("modelVersion") != args.model_version:
                return self.answer(404, {"error": "no such model or version"})
            if query.get("guid") != args.guid:
                return self.answer(403, {"error": "guid not authorised"})
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.send_header("Content-Disposition",
                             f'attachment; filename="{args.model_id}-{args.model_version}.zip"')
            self.send_header("Content-Length", str(len(archive)))
            self.end_headers()
            self.wfile.write(archive)
            self.record(200, len(archive))

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.record(status, len(data))

        def record(self, status, size):
            print(f"{self.command} {self.path} {status} {size}", flush=True)

        def log_message(self, *_):
            pass  # one line per request from record() instead of the default access log

    return StoreHandler


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model-dir", required=True)
    p.add_argument("--model-id", required=True)
    p.add_argument("--model-version", required=True)
    p.add_argument("--guid", required=True)
    p.add_argument("--port-file", required=True)
    args = p.parse_args()
    archive = zip_folder(args.model_dir, os.path.basename(os.path.normpath(args.model_dir)))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(args, archive))
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    print(f"model store on 127.0.0.1:{server.server_address[1]}: {args.model_id}/{args.model_version} "
          f"({len(archive)} bytes zip)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
