// Completes package-lock.json for `npm ci`: run `node stub-unserved-optionals.mjs` here after any
// `npm install` that rewrote the lockfile. The same fix as tests/interop/stub-unserved-optionals.mjs
// (read its header): rivetkit lists its native builds for every platform as optional
// dependencies, the registry this project installs from serves only some, npm leaves the others
// out of the lockfile and `npm ci` then refuses it. Each missing one gets the entry npm would
// write (version and platform); none is downloaded, since none matches this platform.

import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("./package-lock.json", import.meta.url);
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
	}
}

// npm's own order: the root first, then the paths in code-point order.
lock.packages = Object.fromEntries(
	Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : a > b ? 1 : 0)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${added} entr${added === 1 ? "y" : "ies"} added`);
