#!/usr/bin/env node
// Serves the policy playground: a static file server (no server logic) rooted at wasm/, so the
// page at /playground/ can load the browser build from /pkg/web/. Loopback only.
//
//   node wasm/playground/serve.mjs [--port 8080]      (after bash wasm/build.sh)
//
// `startServer({ port })` is exported for the browser tests (port 0 picks a free port).

import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".toml": "text/plain; charset=utf-8",
  ".jsonl": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

function resolvePath(urlPath) {
  let p;
  try {
    p = decodeURIComponent(urlPath.split("?")[0]);
  } catch {
    return null;
  }
  const full = normalize(join(ROOT, p));
  const root = ROOT.endsWith(sep) ? ROOT : ROOT + sep;
  if (!(full + sep).startsWith(root)) return null; // outside the root
  if (full.split(sep).includes("node_modules")) return null;
  return full;
}

function handle(req, res) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end();
    return;
  }
  const urlPath = req.url ?? "/";
  if (urlPath === "/" || urlPath === "/playground") {
    res.writeHead(302, { Location: "/playground/" }).end();
    return;
  }
  let file = resolvePath(urlPath);
  let st;
  try {
    if (file === null) throw new Error("forbidden");
    st = statSync(file);
    if (st.isDirectory()) {
      file = join(file, "index.html");
      st = statSync(file);
    }
  } catch {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found\n");
    return;
  }
  res.writeHead(200, {
    "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
    "Content-Length": st.size,
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  if (req.method === "HEAD") {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

/** Starts the server on 127.0.0.1; resolves to `{ server, url }` once it listens. */
export function startServer({ port = 8080, host = "127.0.0.1" } = {}) {
  const server = createServer(handle);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({ server, url: `http://${host}:${p}` });
    });
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--port");
  const port = Number(i > 0 ? process.argv[i + 1] : (process.env.PORT ?? 8080));
  try {
    statSync(join(ROOT, "pkg", "web", "vigil_wasm_bg.wasm"));
  } catch {
    console.error("serve.mjs: pkg/web/ is missing: run `bash wasm/build.sh` first");
    process.exit(1);
  }
  const { url } = await startServer({ port });
  console.log(`Vigil playground: ${url}/playground/  (Ctrl-C stops)`);
}
