#!/usr/bin/env node
// Fixes two ordering problems in the JS glue that wasm-bindgen 0.2.129 generates for
// `wasm_bindgen::handler::schedule_reinit()`, which the panic hook uses to replace the instance
// after a panic (see src/api.rs, `start`):
//
// 1. A method checks whether its object belongs to an older instance BEFORE the call guard
//    swaps in the fresh instance. On the first call after a panic an old object passes the check
//    and its pointer is then used in the NEW instance's memory. Fix: run the guard first.
// 2. `free()` has no such check at all: freeing an old object after the swap would free an
//    unrelated pointer of the new instance. Fix: run the guard, then forget old objects instead
//    of freeing them (their memory went away with their instance).
//
// And one in the TypeScript declarations: an `Option<JsValue>` parameter with a custom type is
// declared required; `new Engine()` (the shipped packs) is meant to type-check.
//
// Usage: node patch-glue.mjs OUT_DIR   (the wasm-bindgen output directory; rewrites
// vigil_wasm.js and vigil_wasm.d.ts there, and fails when they do not have the expected shape,
// e.g. after a wasm-bindgen upgrade: then re-check the generated code).

import { readFileSync, writeFileSync } from "node:fs";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node patch-glue.mjs OUT_DIR");
  process.exit(2);
}
const file = `${dir}/vigil_wasm.js`;
const dts = `${dir}/vigil_wasm.d.ts`;
let js = readFileSync(file, "utf8");
if (js.includes("/* vigil: glue patched */")) process.exit(0);

const fail = (why) => {
  console.error(`patch-glue.mjs: ${dir}: ${why}`);
  process.exit(1);
};
if (!js.includes("function __wbg_call_guard()")) fail("no __wbg_call_guard(): is the panic hook's reinit gone?");

// 1. Guard before every stale-object check.
const check = /^(\s*)(if \((?:\(\w+\)|this)\.__wbg_inst !== undefined && (?:\(\w+\)|this)\.__wbg_inst !== __wbg_instance_id\) \{)$/gm;
let checks = 0;
js = js.replace(check, (_, indent, stmt) => {
  checks += 1;
  return `${indent}__wbg_call_guard();\n${indent}${stmt}`;
});
if (checks < 10) fail(`expected the stale-object checks of every method, found ${checks}`);

// 2. free(): guard, then drop stale objects without calling into the new instance.
const free = /^(\s*)free\(\) \{\n(\s*)const ptr = this\.__destroy_into_raw\(\);\n\s*__wbg_call_guard\(\);\n/gm;
let frees = 0;
js = js.replace(free, (_, indent, body) => {
  frees += 1;
  return (
    `${indent}free() {\n` +
    `${body}__wbg_call_guard();\n` +
    `${body}if (this.__wbg_inst !== undefined && this.__wbg_inst !== __wbg_instance_id) {\n` +
    `${body}    this.__destroy_into_raw();\n` +
    `${body}    return;\n` +
    `${body}}\n` +
    `${body}const ptr = this.__destroy_into_raw();\n`
  );
});
const classes = (js.match(/^export class |^class /gm) ?? []).length;
if (frees !== classes || frees === 0) fail(`expected a free() in each of the ${classes} classes, patched ${frees}`);

const types = readFileSync(dts, "utf8");
const optional = types.replace("constructor(layers: PolicyLayer[]);", "constructor(layers?: PolicyLayer[]);");
if (optional === types) fail("no `constructor(layers: PolicyLayer[])` in the declarations");

writeFileSync(file, `${js}\n/* vigil: glue patched */\n`);
writeFileSync(dts, optional);
