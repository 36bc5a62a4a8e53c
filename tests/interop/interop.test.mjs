// The official RivetKit client (`rivetkit` 2.3.19, `rivetkit/client`) against the conformance
// server (`cargo run --example conformance`), one suite per encoding. It covers the exchanges of
// /work/shared/design/PROTOCOL.md sections 4 to 9 (and the handle kinds of sections 2 and 3)
// with exact values.
//
//   RIVET_ENDPOINT     the server, e.g. http://127.0.0.1:6420 (required)
//   RIVET_ENCODINGS    comma-separated subset of json,cbor,bare (default: all three)
//   RIVET_SKIP_EXOTIC  1 skips the values JSON cannot carry (BigInt, Uint8Array, undefined)
//   RIVET_LOG_LEVEL    the client's own log level (default here: error)
//
// Run: node --test tests/interop/
//
// Observation aid: every WebSocket the client opens is a subclass of `ws` (the client's own
// transport on Node 20) that records the frames it receives and its close code and reason, so
// that what never reaches a client callback (an event without a listener, the close frame) can
// be checked too. The client itself is used unchanged, through its public API only.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import WebSocketImpl from "ws";

import { ActorError, createClient } from "rivetkit/client";

process.env.RIVET_LOG_LEVEL ??= "error";

const ENDPOINT = process.env.RIVET_ENDPOINT;
if (!ENDPOINT) {
	throw new Error("RIVET_ENDPOINT must name the conformance server, e.g. http://127.0.0.1:6420");
}
const ALL_ENCODINGS = ["json", "cbor", "bare"];
const ENCODINGS = (process.env.RIVET_ENCODINGS ?? ALL_ENCODINGS.join(","))
	.split(",")
	.map((e) => e.trim())
	.filter(Boolean);
for (const encoding of ENCODINGS) {
	if (!ALL_ENCODINGS.includes(encoding)) {
		throw new Error(`unknown encoding ${encoding} in RIVET_ENCODINGS`);
	}
}
// For a server that cannot carry them yet: the values JSON cannot carry may be left out.
const SKIP_EXOTIC = process.env.RIVET_SKIP_EXOTIC === "1";

/** Generous: the client retries `get` on a missing actor for about 2.5 s before giving up. */
const TIMEOUT = 30_000;
/** Keys of this run: reruns against the same server never meet old actors. */
const RUN = `${Date.now().toString(36)}${process.pid.toString(36)}`;
let unique = 0;

/** A name unique to this run, for keys, users and event names. */
function fresh(label) {
	unique += 1;
	return `${label}-${RUN}-${unique}`;
}

// --- The frame tap ----------------------------------------------------------------------------

/** Every socket the client opened, in order. */
const sockets = [];

class TappedWebSocket extends WebSocketImpl {
	constructor(url, protocols, options) {
		super(url, protocols, options);
		const record = {
			ws: this,
			url: String(url),
			protocols: [protocols ?? []].flat().map((p) => decodeURIComponent(String(p))),
			frames: [],
			closed: deferred(),
		};
		sockets.push(record);
		this.on("message", (data, isBinary) => {
			record.frames.push({ binary: isBinary, bytes: toBuffer(data) });
		});
		this.on("close", (code, reason) => {
			record.closed.resolve({ code, reason: reason.toString("utf8") });
		});
	}
}

// The client uses the global WebSocket when there is one, and imports `ws` otherwise.
globalThis.WebSocket = TappedWebSocket;

function toBuffer(data) {
	if (Buffer.isBuffer(data)) return data;
	if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data));
	if (Array.isArray(data)) return Buffer.concat(data);
	return Buffer.from(data);
}

/** The sockets whose connection params contain `marker` (a unique user name), oldest first. */
function socketsOf(marker) {
	return sockets.filter((s) => s.protocols.some((p) => p.startsWith("rivet_conn_params.") && p.includes(marker)));
}

/** The only socket opened with `marker` in its params. */
function socketOf(marker) {
	const found = socketsOf(marker);
	assert.equal(found.length, 1, `one socket for ${marker}`);
	return found[0];
}

/** How many frames a socket received that mention `text` (an event name, say). */
function framesMentioning(socket, text) {
	return socket.frames.filter((f) => f.bytes.includes(Buffer.from(text, "utf8"))).length;
}

// --- Helpers ----------------------------------------------------------------------------------

function deferred() {
	let resolve;
	let reject;
	const promise = new Promise((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** What a promise settled with, without throwing: `{ok, value}` or `{ok: false, error}`. */
async function settle(promise) {
	try {
		return { ok: true, value: await promise };
	} catch (error) {
		return { ok: false, error };
	}
}

/** Awaits a rejection and returns the error; fails if the promise resolved. */
async function rejection(promise) {
	const outcome = await settle(promise);
	assert.ok(!outcome.ok, `expected a rejection, got ${JSON.stringify(outcome.value)}`);
	return outcome.error;
}

/**
 * Checks an `ActorError` exactly. Absent metadata is `undefined` in JSON and CBOR and `null` in
 * BARE (the client's BARE decoder writes `null`): both count as absent.
 */
function assertActorError(error, { group, code, message, metadata }) {
	assert.ok(error instanceof ActorError, `expected an ActorError, got ${error?.stack ?? error}`);
	assert.deepEqual(
		{ group: error.group, code: error.code, message: error.message, metadata: error.metadata ?? undefined },
		{ group, code, message, metadata },
	);
}

/** The error of a call that must fail with an `ActorError`. */
async function assertRejects(promise, expected) {
	assertActorError(await rejection(promise), expected);
}

/** Records the events `name` a connection receives (each as its list of args). */
function listen(conn, name) {
	const seen = [];
	let waiters = [];
	const off = conn.on(name, (...args) => {
		seen.push(args);
		const ready = waiters.filter((w) => seen.length >= w.count);
		waiters = waiters.filter((w) => seen.length < w.count);
		for (const w of ready) w.resolve(seen.slice(0, w.count));
	});
	return {
		seen,
		off,
		/** Resolves with the first `count` events once that many arrived. */
		until(count) {
			if (seen.length >= count) return Promise.resolve(seen.slice(0, count));
			const w = { count, ...deferred() };
			waiters.push(w);
			return w.promise;
		},
	};
}

/**
 * Runs `body` with an `open(handle, params?)` that connects and remembers the connection; every
 * connection is disposed at the end, whatever happened.
 */
async function withConns(body) {
	const conns = [];
	const open = (handle, params) => {
		const conn = params === undefined ? handle.connect() : handle.connect(params);
		conns.push(conn);
		return conn;
	};
	try {
		return await body(open);
	} finally {
		await Promise.all(conns.map((c) => c.dispose().catch(() => {})));
	}
}

/** Records the statuses and errors a connection reports. */
function watch(conn) {
	const statuses = [];
	const errors = [];
	const closeError = deferred();
	let closes = 0;
	conn.onStatusChange((s) => statuses.push(s));
	conn.onClose(() => {
		closes += 1;
	});
	conn.onError((e) => {
		errors.push(e);
		if (e.message.startsWith("Connection closed")) closeError.resolve(e);
	});
	return { statuses, errors, closeError: closeError.promise, closes: () => closes };
}

const absent = undefined;

/** The errors of the conformance actors, as the client must see them. */
const ERRORS = {
	forbidden: { group: "user", code: "forbidden", message: "bad token", metadata: { why: "token" } },
	internal: { group: "rivetkit", code: "internal_error", message: "An internal error occurred", metadata: absent },
	stateRefused: { group: "user", code: "state_refused", message: "connection state refused", metadata: absent },
	connectFailed: { group: "user", code: "connect_failed", message: "on_connect failed", metadata: absent },
	myCode: { group: "user", code: "my_code", message: "user facing failure", metadata: { a: 1 } },
	actionNotFound: {
		group: "actor",
		code: "action_not_found",
		message: "Action `noSuchAction` was not found.",
		metadata: absent,
	},
};

// --- The suites -------------------------------------------------------------------------------

for (const encoding of ENCODINGS) {
	describe(`encoding ${encoding}`, { timeout: 5 * 60_000 }, () => {
		let client;
		before(() => {
			client = createClient({ endpoint: ENDPOINT, encoding });
		});
		after(async () => {
			await client?.dispose();
		});

		const room = (key, opts) => client.chatRoom.getOrCreate([key], opts);

		describe("handles (sections 2 and 3)", () => {
			test("getOrCreate: one actor per key; resolve gives its id; getForId reaches it", { timeout: TIMEOUT }, async () => {
				const key = fresh("counter");
				const a = client.counter.getOrCreate([key]);
				assert.equal(await a.increment(2), 2);
				const id = await a.resolve();
				assert.match(id, /^\S+$/);
				assert.equal(await client.counter.getOrCreate(key).resolve(), id, "a string key is a one-part key");
				assert.equal(await client.counter.getForId(id).getCount(), 2);
				const other = client.counter.getOrCreate([fresh("counter")]);
				assert.notEqual(await other.resolve(), id);
				assert.equal(await other.getCount(), 0);
			});

			test("get: finds an existing actor; a missing one is actor.not_found", { timeout: TIMEOUT }, async () => {
				const key = fresh("counter");
				const id = await client.counter.getOrCreate([key]).resolve();
				assert.equal(await client.counter.get([key]).resolve(), id);
				assert.equal(await client.counter.get([key]).increment(3), 3);
				const missing = client.counter.get([fresh("missing")]);
				const resolved = await rejection(missing.resolve());
				assert.ok(resolved instanceof ActorError);
				assert.deepEqual([resolved.group, resolved.code], ["actor", "not_found"]);
				// The client retries not_found on get handles (24 times, 100 ms apart) before giving up.
				await assertRejects(missing.getCount(), {
					group: "actor",
					code: "not_found",
					message: "The actor does not exist or was destroyed.",
					metadata: absent,
				});
			});

			test("create: a new actor with input; a second create of the key is actor.already_exists", { timeout: TIMEOUT }, async () => {
				const key = fresh("created");
				const created = await client.counter.create([key], { input: { hello: 1 } });
				const id = await created.resolve();
				assert.equal(await created.increment(5), 5);
				assert.equal(await client.counter.getForId(id).getCount(), 5);
				assert.equal(await client.counter.getOrCreate([key]).resolve(), id);
				await assertRejects(client.counter.create([key]), {
					group: "actor",
					code: "already_exists",
					message: "An actor with this key already exists.",
					metadata: absent,
				});
			});

			test("getForId: an unknown id is actor.not_found, over HTTP and WebSocket", { timeout: TIMEOUT }, async () => {
				const handle = client.chatRoom.getForId(fresh("no-such-id"));
				const notFound = {
					group: "actor",
					code: "not_found",
					message: "The actor does not exist or was destroyed.",
					metadata: absent,
				};
				await assertRejects(handle.whoami(), notFound);
				await withConns(async (open) => {
					const conn = open(handle);
					await assertRejects(conn.whoami(), notFound);
				});
			});

			test("keys: several parts, escapes and the empty key reach one actor by query and by id", { timeout: TIMEOUT }, async () => {
				const tag = fresh("k");
				for (const key of [[tag, "b"], [`${tag}/x`, "", "a\\b"], []]) {
					const byQuery = client.counter.getOrCreate(key);
					const start = await byQuery.getCount();
					assert.equal(await byQuery.increment(1), start + 1, `key ${JSON.stringify(key)}`);
					const id = await byQuery.resolve();
					assert.equal(await client.counter.getForId(id).getCount(), start + 1, `key ${JSON.stringify(key)}`);
					assert.equal(await client.counter.get(key).resolve(), id, `key ${JSON.stringify(key)}`);
				}
				const one = await client.counter.getOrCreate([tag, "b"]).resolve();
				assert.notEqual(await client.counter.getOrCreate([`${tag}`, "c"]).resolve(), one);
			});

			test("an unknown actor type is actor.unknown_actor_type", { timeout: TIMEOUT }, async () => {
				await assertRejects(client.noSuchActor.getOrCreate([fresh("x")]).anything(), {
					group: "actor",
					code: "unknown_actor_type",
					message: "No actor type named `noSuchActor` is registered.",
					metadata: absent,
				});
			});
		});

		describe("connect (section 4)", () => {
			test("Init comes first, on the selected sub-protocol rivet, in the encoding's frame type", { timeout: TIMEOUT }, async () => {
				const user = fresh("init");
				await withConns(async (open) => {
					const startedAt = Date.now();
					const conn = open(room(fresh("room"), { params: { user } }));
					const me = await conn.whoami();
					const endedAt = Date.now();
					const socket = socketOf(user);
					assert.equal(socket.ws.protocol, "rivet");
					assert.match(socket.url, /\/gateway\/chatRoom\/connect\?/);
					assert.ok(socket.protocols.includes(`rivet_encoding.${encoding}`), socket.protocols.join(","));
					assert.equal(conn.connStatus, "connected");
					const [init] = socket.frames;
					assert.equal(init.binary, encoding !== "json", "JSON travels in text frames, CBOR and BARE in binary ones");
					if (encoding === "json") {
						assert.deepEqual(JSON.parse(init.bytes.toString("utf8")), {
							body: { tag: "Init", val: { actorId: conn.actorId, connectionId: conn.connId } },
						});
					} else {
						if (encoding === "bare") {
							assert.deepEqual([...init.bytes.subarray(0, 3)], [4, 0, 0], "BARE v4, tag 0 (Init)");
						}
						assert.ok(init.bytes.includes(Buffer.from(conn.connId)), "Init carries the connection id");
						assert.ok(init.bytes.includes(Buffer.from(conn.actorId)), "Init carries the actor id");
					}
					assert.equal(me.connId, conn.connId);
					assert.equal(me.state.user, user);
					assert.equal(typeof me.state.joinedAt, "number");
					const { joinedAt } = me.state;
					assert.ok(joinedAt >= startedAt - 1000 && joinedAt <= endedAt + 1000, `joinedAt ${joinedAt}`);
					assert.deepEqual(Object.keys(me.state).sort(), ["joinedAt", "user"]);
				});
			});

			test("params reach the hooks: none, handle params, connect params, getParams", { timeout: TIMEOUT }, async () => {
				const key = fresh("room");
				await withConns(async (open) => {
					const none = open(room(key));
					assert.equal((await none.whoami()).state.user, "anon");
					const fromHandle = open(room(key, { params: { user: "handle-user" } }));
					assert.equal((await fromHandle.whoami()).state.user, "handle-user");
					const fromConnect = open(room(key, { params: { user: "ignored" } }), { user: "connect-user" });
					assert.equal((await fromConnect.whoami()).state.user, "connect-user");
					const fromGetParams = open(room(key, { getParams: async () => ({ user: "dynamic-user" }) }));
					assert.equal((await fromGetParams.whoami()).state.user, "dynamic-user");
					const ids = await Promise.all([none, fromHandle, fromConnect, fromGetParams].map((c) => c.whoami()));
					assert.equal(new Set(ids.map((m) => m.connId)).size, 4, "each connection has its own id");
				});
			});

			const refusals = [
				{
					name: "on_before_connect refuses: user.forbidden with message and metadata",
					params: { token: "bad" },
					error: ERRORS.forbidden,
				},
				{
					name: "on_before_connect crashes: masked as rivetkit.internal_error",
					params: { token: "crash" },
					error: ERRORS.internal,
				},
				{
					name: "create_conn_state refuses: user.state_refused",
					params: { failState: true },
					error: ERRORS.stateRefused,
				},
				{
					name: "on_connect fails: user.connect_failed",
					params: { failConnect: true },
					error: ERRORS.connectFailed,
				},
			];
			for (const refusal of refusals) {
				test(`${refusal.name}; Error frame, then close 1011 group.code`, { timeout: TIMEOUT }, async () => {
					const user = fresh("refused");
					const key = fresh("room");
					await withConns(async (open) => {
						const witness = open(room(key, { params: { user: fresh("witness") } }));
						const joined = listen(witness, "joined");
						await witness.whoami();

						const conn = open(room(key, { params: { user, ...refusal.params } }));
						const seen = watch(conn);
						// A call made before Init is queued, then rejected with the Error frame's error.
						await assertRejects(conn.whoami(), refusal.error);
						const qualified = `${refusal.error.group}.${refusal.error.code}`;
						const closeError = await seen.closeError;
						assertActorError(closeError, {
							group: refusal.error.group,
							code: refusal.error.code,
							message: `Connection closed: ${qualified}`,
							metadata: absent,
						});
						assert.deepEqual(await socketOf(user).closed.promise, { code: 1011, reason: qualified });
						// onError: the Error frame's error twice (on the frame, then when the open fails),
						// then the close's.
						assert.equal(seen.errors.length, 3);
						assertActorError(seen.errors[0], refusal.error);
						assert.equal(seen.errors[1], seen.errors[0]);
						assert.equal(seen.errors[2], closeError);
						assert.equal(seen.closes(), 0, "onClose is only for connections that were open");
						assert.ok(!seen.statuses.includes("connected"));
						assert.equal(conn.connStatus, "disconnected");
						// Never retried: one socket only.
						assert.equal(socketsOf(user).length, 1);
						assert.equal(socketOf(user).frames.length, 1, "the Error frame alone: no Init");

						// The refused connection never joined: the next joined event is the next user's.
						const next = fresh("next");
						const nextConn = open(room(key, { params: { user: next } }));
						await nextConn.whoami();
						assert.deepEqual(await joined.until(1), [[next]]);
						if (encoding === "json") {
							const errorFrame = JSON.parse(socketOf(user).frames[0].bytes.toString("utf8"));
							const { group, code, message } = refusal.error;
							const val = { actionId: null, group, code, message };
							if (refusal.error.metadata !== undefined) val.metadata = refusal.error.metadata;
							assert.deepEqual(errorFrame, { body: { tag: "Error", val } });
						}
						assert.equal(framesMentioning(socketOf(user), "secret"), 0, "no internal detail on the wire");
					});
				});
			}
		});

		describe("actions (section 6)", () => {
			test("results: post, history, whoami, sleepMs, counter", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const key = fresh("room");
					const alice = open(room(key, { params: { user: "alice" } }));
					const bob = open(room(key, { params: { user: "bob" } }));
					assert.equal(await alice.post("hello"), 1);
					assert.equal(await bob.post("hi alice"), 2);
					assert.equal(await alice.post(""), 3);
					assert.deepEqual(await bob.history(), [
						{ from: "alice", text: "hello" },
						{ from: "bob", text: "hi alice" },
						{ from: "alice", text: "" },
					]);
					assert.equal(await alice.sleepMs(20), 20);
					const counter = open(client.counter.getOrCreate([fresh("counter")]));
					assert.equal(await counter.getCount(), 0);
					assert.equal(await counter.increment(5), 5);
					assert.equal(await counter.increment(-7), -2);
					assert.equal(await counter.getCount(), -2);
				});
			});

			test("concurrent calls on one connection are matched by id", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const conn = open(room(fresh("room")));
					const lengths = [5, 1, 4, 2, 3, 0];
					const results = await Promise.all(lengths.map((n) => conn.big(n)));
					assert.deepEqual(results, lengths.map((n) => "x".repeat(n)));
				});
			});

			test("errors: user error with metadata, masked internal error, unknown action; the connection stays", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const user = fresh("errors");
					const conn = open(room(fresh("room"), { params: { user } }));
					const seen = watch(conn);
					const { connId } = await conn.whoami();
					await assertRejects(conn.failUser(), ERRORS.myCode);
					await assertRejects(conn.failInternal(), ERRORS.internal);
					await assertRejects(conn.noSuchAction(1, 2), ERRORS.actionNotFound);
					assert.equal((await conn.whoami()).connId, connId);
					assert.deepEqual(seen.errors, [], "action errors do not reach onError");
					assert.equal(framesMentioning(socketOf(user), "secret"), 0, "no internal detail on the wire");
				});
			});

			test(
				"action errors carry the actor specifier {actorId, generation, key}, as the real server's do",
				{ timeout: TIMEOUT },
				async () => {
					await withConns(async (open) => {
						const key = fresh("room");
						const conn = open(room(key));
						await conn.whoami();
						const error = await rejection(conn.failUser());
						assert.equal(error.actor?.actorId, conn.actorId);
						assert.equal(error.actor?.key, key);
						assert.equal(typeof error.actor?.generation, "number");
						const http = await rejection(room(key).failUser());
						assert.equal(http.actor?.actorId, conn.actorId);
					});
				},
			);

			test("JSON-compatible values round-trip through echo", { timeout: TIMEOUT }, async () => {
				const values = [
					0,
					-17,
					2.5,
					Number.MAX_SAFE_INTEGER,
					-Number.MAX_SAFE_INTEGER,
					1e300,
					true,
					false,
					null,
					"",
					"text with ünïcödé, emoji 🦀 and \"quotes\"",
					[],
					{},
					[1, "two", { three: [3] }, null],
					{ nested: { deep: { list: [1, 2, { x: "y" }] } }, "key with spaces": 1 },
					["$x", 1],
					["$BigInt", "5"],
					{ tag: ["$$y", [2]] },
				];
				await withConns(async (open) => {
					const conn = open(room(fresh("room")));
					for (const value of values) {
						assert.deepEqual(await conn.echo(value), value, `ws echo ${JSON.stringify(value)}`);
					}
				});
				const handle = room(fresh("room"));
				for (const value of values) {
					assert.deepEqual(await handle.echo(value), value, `http echo ${JSON.stringify(value)}`);
				}
			});
		});

		describe("events (section 9)", () => {
			test("a broadcast reaches subscribers only, before the response of the action that made it", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const key = fresh("room");
					const name = fresh("news");
					const [alice, bob, carol] = ["alice", "bob", "carol"].map((u) => fresh(u));
					const a = open(room(key, { params: { user: alice } }));
					const b = open(room(key, { params: { user: bob } }));
					const c = open(room(key, { params: { user: carol } }));
					const aNews = listen(a, name);
					const bNews = listen(b, name);
					const aMessages = listen(a, "message");
					// A round trip after `on` guarantees that the subscription reached the server.
					await Promise.all([a.whoami(), b.whoami(), c.whoami()]);

					assert.equal(await a.shout(name, { n: 1 }), true);
					assert.deepEqual(aNews.seen, [[{ n: 1 }]], "the caller's own broadcast comes before its response");
					assert.deepEqual(await bNews.until(1), [[{ n: 1 }]]);

					const text = fresh("ping");
					assert.equal(await a.post(text), 1);
					assert.deepEqual(aMessages.seen, [[{ from: alice, text }]]);

					// Carol never subscribed: after a round trip, nothing of either event reached her socket.
					await c.whoami();
					const carolSocket = socketOf(carol);
					assert.equal(framesMentioning(carolSocket, name), 0);
					assert.equal(framesMentioning(carolSocket, text), 0);
					// A broadcast of a name nobody listens to reaches nobody.
					const nobody = fresh("nobody");
					assert.equal(await a.shout(nobody, 1), true);
					await Promise.all([a.whoami(), b.whoami(), c.whoami()]);
					for (const user of [alice, bob, carol]) {
						assert.equal(framesMentioning(socketOf(user), nobody), 0);
					}
				});
			});

			test("joined: on_connect's broadcast reaches the others, not the joining connection", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const key = fresh("room");
					const first = open(room(key, { params: { user: "first" } }));
					const firstJoined = listen(first, "joined");
					await first.whoami();
					const secondUser = fresh("second");
					const second = open(room(key, { params: { user: secondUser } }));
					// Listening before Init: the client subscribes right after Init, after on_connect ran.
					const secondJoined = listen(second, "joined");
					await second.whoami();
					assert.deepEqual(await firstJoined.until(1), [[secondUser]]);
					assert.deepEqual(secondJoined.seen, []);
					const third = open(room(key));
					await third.whoami();
					assert.deepEqual(await firstJoined.until(2), [[secondUser], ["anon"]]);
					await second.whoami();
					assert.deepEqual(secondJoined.seen, [["anon"]]);
				});
			});

			test("a direct send reaches the caller without a subscription", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const key = fresh("room");
					const user = fresh("dm");
					const name = fresh("dm-event");
					const conn = open(room(key, { params: { user } }));
					const other = fresh("other");
					const otherConn = open(room(key, { params: { user: other } }));
					const otherDm = listen(otherConn, name);
					await otherConn.whoami();
					assert.equal(await conn.direct(name, { secret: "for you" }), true);
					assert.deepEqual(framesMentioning(socketOf(user), name), 1, "the event frame arrived without any subscription");
					if (encoding === "json") {
						const frame = socketOf(user).frames.find((f) => f.bytes.includes(Buffer.from(name)));
						assert.deepEqual(JSON.parse(frame.bytes.toString("utf8")), {
							body: { tag: "Event", val: { name, args: [{ secret: "for you" }] } },
						});
					}
					// With a listener, the callback gets the payload as its argument.
					const dm = listen(conn, `${name}-2`);
					assert.equal(await conn.direct(`${name}-2`, [1, "two"]), true);
					assert.deepEqual(dm.seen, [[[1, "two"]]]);
					// Nobody else got it, subscribed to that name or not.
					await otherConn.whoami();
					assert.deepEqual(otherDm.seen, []);
					assert.equal(framesMentioning(socketOf(other), name), 0);
				});
			});

			test("unsubscribe: after the last listener goes, the events stop", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const key = fresh("room");
					const name = fresh("ticks");
					const carol = fresh("carol");
					const a = open(room(key, { params: { user: "alice" } }));
					const c = open(room(key, { params: { user: carol } }));
					const aTicks = listen(a, name);
					const cTicks = listen(c, name);
					const cTicksToo = listen(c, name);
					await Promise.all([a.whoami(), c.whoami()]);
					await a.shout(name, 1);
					assert.deepEqual(await cTicks.until(1), [[1]]);
					assert.deepEqual(cTicksToo.seen, [[1]], "every listener of a name gets the event");
					cTicks.off();
					await c.whoami();
					await a.shout(name, 2);
					assert.deepEqual(await cTicksToo.until(2), [[1], [2]], "one listener left: still subscribed");
					cTicksToo.off();
					await c.whoami();
					await a.shout(name, 3);
					assert.deepEqual(await aTicks.until(3), [[1], [2], [3]]);
					await c.whoami();
					assert.equal(framesMentioning(socketOf(carol), name), 2, "no frame after the unsubscribe");
					assert.deepEqual(cTicks.seen, [[1]]);
					assert.deepEqual(cTicksToo.seen, [[1], [2]]);
				});
			});

			test("counter: increment broadcasts newCount", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const handle = client.counter.getOrCreate([fresh("counter")]);
					const a = open(handle);
					const b = open(handle);
					const aCounts = listen(a, "newCount");
					const bCounts = listen(b, "newCount");
					await Promise.all([a.getCount(), b.getCount()]);
					assert.equal(await a.increment(3), 3);
					assert.equal(await handle.increment(4), 7, "an HTTP call broadcasts to connections too");
					assert.deepEqual(await bCounts.until(2), [[3], [7]]);
					assert.deepEqual(await aCounts.until(2), [[3], [7]]);
				});
			});
		});

		describe("disconnect and reconnect (section 8)", () => {
			const kicks = [
				{ name: "kickMe(reason)", call: (c) => c.kickMe("bye now"), reason: "bye now" },
				{ name: "kickMe()", call: (c) => c.kickMe(), reason: "kicked by server" },
				{ name: "kickNoReason()", call: (c) => c.kickNoReason(), reason: "" },
			];
			for (const kick of kicks) {
				test(`${kick.name}: close 1000 "${kick.reason}"; the in-flight call rejects with the close`, { timeout: TIMEOUT }, async () => {
					await withConns(async (open) => {
						const user = fresh("kicked");
						const conn = open(room(fresh("room"), { params: { user } }));
						const seen = watch(conn);
						await conn.whoami();
						const error = await rejection(kick.call(conn));
						// A reason without a `.` is not group.code: a plain Error, not an ActorError.
						assert.ok(!(error instanceof ActorError), `got ${error}`);
						assert.equal(error.message, `Connection closed (code: 1000, reason: ${kick.reason})`);
						assert.deepEqual(seen.statuses.slice(0, 3), ["connected", "disconnected", "connecting"], "and it reconnects");
						assert.equal(seen.closes(), 1);
						assert.deepEqual(seen.errors, [], "a close without group.code is not an ActorError: onError stays silent");
						await conn.dispose();
						const [first] = socketsOf(user);
						assert.deepEqual(await first.closed.promise, { code: 1000, reason: kick.reason });
						if (encoding !== "bare") {
							// JSON and CBOR name the tag: the whoami response is the only one.
							assert.equal(framesMentioning(first, "ActionResponse"), 1, "no response to the kick call");
						}
					});
				});
			}

			test("a close reason with a dot reads as group.code: kickMe(\"see.you\") is ActorError see.you", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const conn = open(room(fresh("room")));
					const seen = watch(conn);
					await conn.whoami();
					await assertRejects(conn.kickMe("see.you"), {
						group: "see",
						code: "you",
						message: "Connection closed: see.you",
						metadata: absent,
					});
					assert.equal(seen.errors.length, 1, "this one reaches onError");
				});
			});

			test("after a kick the client reconnects as a brand-new connection and resubscribes", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const key = fresh("room");
					const user = fresh("rejoin");
					const conn = open(room(key, { params: { user } }));
					const messages = listen(conn, "message");
					const before = await conn.whoami();
					const reopened = deferred();
					let opens = 0;
					conn.onOpen(() => {
						opens += 1;
						if (opens === 2) reopened.resolve();
					});
					await rejection(conn.kickMe());
					await reopened.promise;
					assert.equal(conn.connStatus, "connected");
					const afterKick = await conn.whoami();
					assert.notEqual(afterKick.connId, before.connId, "a reconnect is a new connection");
					assert.equal(afterKick.state.user, user, "with the same params");
					assert.equal(conn.connId, afterKick.connId);
					assert.equal(socketsOf(user).length, 2);
					// The listener survived, and the client re-sent its subscription after the new Init.
					assert.equal(await conn.post("after the kick"), 1);
					assert.deepEqual(messages.seen, [[{ from: user, text: "after the kick" }]]);
				});
			});

			test("dispose: the client closes 1000 Disposed and the server echoes it", { timeout: TIMEOUT }, async () => {
				const user = fresh("disposed");
				const conn = room(fresh("room"), { params: { user } }).connect();
				await conn.whoami();
				await conn.dispose();
				assert.equal(conn.connStatus, "idle");
				assert.deepEqual(await socketOf(user).closed.promise, { code: 1000, reason: "Disposed" });
				await assert.rejects(conn.whoami(), (e) => e.constructor.name === "ActorConnDisposed");
			});
		});

		describe("stateless HTTP actions (section 6.2)", () => {
			test("each call is a fresh connection with the handle's params; results as over WebSocket", { timeout: TIMEOUT }, async () => {
				const key = fresh("room");
				const handle = room(key, { params: { user: "http-user" } });
				const one = await handle.whoami();
				const two = await handle.whoami();
				assert.equal(one.state.user, "http-user");
				assert.notEqual(one.connId, two.connId);
				assert.equal((await room(key).whoami()).state.user, "anon", "no params");
				assert.equal(await handle.post("over http"), 1);
				assert.deepEqual(await room(key).history(), [{ from: "http-user", text: "over http" }]);
				assert.equal(await handle.sleepMs(15), 15);
				assert.equal(await handle.big(3), "xxx");
				assert.equal(await handle.kickMe("x"), true, "an HTTP caller has no socket to lose");
			});

			test("an HTTP call runs on_connect: its joined broadcast reaches subscribers", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const key = fresh("room");
					const ws = open(room(key, { params: { user: "listener" } }));
					const joined = listen(ws, "joined");
					await ws.whoami();
					const httpUser = fresh("http");
					await room(key, { params: { user: httpUser } }).history();
					assert.deepEqual(await joined.until(1), [[httpUser]]);
				});
			});

			test("errors over HTTP: hooks and actions, as over WebSocket", { timeout: TIMEOUT }, async () => {
				const key = fresh("room");
				const cases = [
					[() => room(key).failUser(), ERRORS.myCode],
					[() => room(key).failInternal(), ERRORS.internal],
					[() => room(key).noSuchAction(), ERRORS.actionNotFound],
					[() => room(key, { params: { token: "bad" } }).whoami(), ERRORS.forbidden],
					[() => room(key, { params: { token: "crash" } }).whoami(), ERRORS.internal],
					[() => room(key, { params: { failState: true } }).whoami(), ERRORS.stateRefused],
					[() => room(key, { params: { failConnect: true } }).whoami(), ERRORS.connectFailed],
				];
				for (const [call, expected] of cases) {
					await assertRejects(call(), expected);
				}
				assert.deepEqual(await room(key).history(), [], "the refused calls did not run");
			});
		});

		describe("limits (sections 7.3 and 10)", () => {
			test("WebSocket: a message over 64 KiB closes 1011 message.incoming_too_long", { timeout: TIMEOUT }, async () => {
				await withConns(async (open) => {
					const user = fresh("incoming");
					const conn = open(room(fresh("room"), { params: { user } }));
					const almost = "y".repeat(60_000);
					assert.equal(await conn.echo(almost), almost, "just under the limit");
					await assertRejects(conn.echo("y".repeat(70_000)), {
						group: "message",
						code: "incoming_too_long",
						message: "Connection closed: message.incoming_too_long",
						metadata: absent,
					});
					await conn.dispose();
					assert.deepEqual(await socketsOf(user)[0].closed.promise, { code: 1011, reason: "message.incoming_too_long" });
				});
			});

			test("HTTP: a body over 64 KiB is message.incoming_too_long", { timeout: TIMEOUT }, async () => {
				const handle = room(fresh("room"));
				await assertRejects(handle.echo("y".repeat(70_000)), {
					group: "message",
					code: "incoming_too_long",
					message: "Incoming message too long.",
					metadata: absent,
				});
			});

			test("a response over 1 MiB fails that call only with message.outgoing_too_long", { timeout: TIMEOUT }, async () => {
				const tooLong = {
					group: "message",
					code: "outgoing_too_long",
					message: "Outgoing message too long.",
					metadata: absent,
				};
				await withConns(async (open) => {
					const user = fresh("outgoing");
					const conn = open(room(fresh("room"), { params: { user } }));
					const seen = watch(conn);
					const { connId } = await conn.whoami();
					assert.equal((await conn.big(1_000_000)).length, 1_000_000, "just under the limit");
					await assertRejects(conn.big(2_000_000), tooLong);
					assert.equal((await conn.whoami()).connId, connId, "the connection stays");
					assert.deepEqual(seen.statuses, ["connected"]);
					assert.equal(socketsOf(user).length, 1);
				});
				const handle = room(fresh("room"));
				assert.equal((await handle.big(1_000_000)).length, 1_000_000);
				await assertRejects(handle.big(2_000_000), tooLong);
			});
		});

		describe("values JSON cannot carry (section 5.1)", { skip: SKIP_EXOTIC && "RIVET_SKIP_EXOTIC=1" }, () => {
			const exotic = [
				["a small BigInt", 5n, 5n],
				["a BigInt beyond 64 bits", 2n ** 70n, 2n ** 70n],
				["a negative BigInt", -(2n ** 65n), -(2n ** 65n)],
				["bytes", new Uint8Array([0, 1, 2, 254, 255]), new Uint8Array([0, 1, 2, 254, 255])],
				["empty bytes", new Uint8Array([]), new Uint8Array([])],
				// JSON.stringify turns an undefined array item into null before it leaves the client.
				["undefined", undefined, encoding === "json" ? null : undefined],
				[
					"a structure of them",
					{ id: 7n, blob: new Uint8Array([9, 8]), list: [1n, "x", null] },
					{ id: 7n, blob: new Uint8Array([9, 8]), list: [1n, "x", null] },
				],
			];
			for (const [label, value, expected] of exotic) {
				test(`${label} round-trips through echo, over WebSocket and HTTP`, { timeout: TIMEOUT }, async () => {
					await withConns(async (open) => {
						const conn = open(room(fresh("room")));
						assert.deepEqual(await conn.echo(value), expected);
					});
					assert.deepEqual(await room(fresh("room")).echo(value), expected);
				});
			}
		});
	});
}
