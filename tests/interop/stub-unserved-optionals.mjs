// Completes package-lock.json for `npm ci`: run `node stub-unserved-optionals.mjs` here after
// any `npm install` that rewrote the lockfile, or `node <path to this file> <dir>` for the
// lockfile of another Node project of this repository (bench/peer).
//
// rivetkit's dependencies list their native builds for every platform as optional dependencies
// (`@rivetkit/engine-cli-darwin-arm64`, ...). The registry this project installs from serves
// only some of them; npm then leaves the others out of the lockfile, and `npm ci` refuses that
// lockfile as out of sync ("Missing: @rivetkit/engine-cli-darwin-arm64@ from lock file"). This
// script adds an entry for each missing one, with its version and the platform its name names,
// which is what npm writes when the registry serves it. None of them is ever downloaded: they
// do not match this platform, and .npmrc omits optional dependencies anyway.

import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dir = process.argv[2] ? pathToFileURL(`${resolve(process.argv[2])}/`) : new URL("./", import.meta.url);
const path = new URL("package-lock.json", dir);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;

function platformOf(name) {
	const match = /-(darwin|linux|win32|freebsd|android)-(x64|arm64|arm|ia32)(?:-(gnu|musl|msvc))?$/.exec(name);
	if (!match) throw new Error(`cannot tell the platform of ${name}`);
	const [, os, cpu, abi] = match;
	const entry = { os: [os], cpu: [cpu] };
	if (abi === "gnu") entry.libc = ["glibc"];
	if (abi === "musl") entry.libc = ["musl"];
	return entry;
}

let added = 0;
for (const [location, entry] of Object.entries(packages)) {
	for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
		const nested = `${location ? `${location}/` : ""}node_modules/${name}`;
		if (packages[nested] || packages[`node_modules/${name}`]) continue;
		if (!/^\d+\.\d+\.\d+$/.test(spec)) {
			throw new Error(`${location} wants ${name}@${spec}: only exact versions can be stubbed`);
		}
		packages[`node_modules/${name}`] = { version: spec, optional: true, ...platformOf(name) };
		added += 1;
		console.log(`stubbed ${name}@${spec}`);
	}
}

// npm's own order: the root first, then the paths in code-point order.
lock.packages = Object.fromEntries(
	Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${added} entr${added === 1 ? "y" : "ies"} added`);
