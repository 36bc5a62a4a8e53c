// The peer target of rivet-bench: the same benchmark actors as rivet-bench/src/rivet_server.rs,
// on the official RivetKit 2.3.19 server. `registry.start()` starts the engine on
// 127.0.0.1:6420; once one action has gone through, this prints
// `listening on http://127.0.0.1:6420` (what the harness waits for).
import { actor, setup } from "rivetkit";
import { createClient } from "rivetkit/client";

// How many connections with params ran onDisconnect in this process (the churn's proof).
let disconnects = 0;

const counter = actor({
	state: { count: 0 },
	actions: {
		increment: (c, by) => {
			c.state.count += by;
			return c.state.count;
		},
	},
});

const room = actor({
	state: { sent: 0 },
	createConnState: (_c, params) => params?.user ?? "anon",
	onDisconnect: (_c, conn) => {
		if (typeof conn.params?.user === "string") disconnects += 1;
	},
	actions: {
		send: (c, seq) => {
			c.state.sent += 1;
			c.broadcast("msg", seq);
			return c.state.sent;
		},
		ping: () => 0,
		disconnects: () => disconnects,
	},
});

// No local "services" host: only the engine and this process serve the actors.
const registry = setup({ use: { counter, room }, startServices: false });
registry.start();

const endpoint = "http://127.0.0.1:6420";
for (;;) {
	try {
		const response = await fetch(`${endpoint}/metadata?namespace=default`);
		if (response.ok) break;
	} catch {}
	await new Promise((resolve) => setTimeout(resolve, 200));
}
// The engine answers before this process has registered as its runner; until then a new actor
// fails with `actor.no_runner_config_configured`. Ready means one action has gone through.
const client = createClient(endpoint);
for (;;) {
	try {
		await client.counter.getOrCreate(["ready-probe"]).increment(0);
		break;
	} catch {}
	await new Promise((resolve) => setTimeout(resolve, 200));
}
console.log(`listening on ${endpoint}`);
