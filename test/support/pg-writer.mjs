#!/usr/bin/env node
// One writer of the many-writer test (test/butler/many-writers.test.ts): opens a Butler on an
// existing output (Swift data, PostgreSQL records via its registry.pgsql) and puts `count`
// jsonThing datasets, printing `ack <visit>` after each put returned (its record written).
// Plain JavaScript over the built dist/ (test/support/cli.ts builds it), so sixteen of them start
// in a fraction of a second each. The payload is a function of writer and index (writer-payload.mjs).
// With a fifth argument "wait" it prints "ready" once its Butler is open and starts on a line on
// stdin (the benchmark starts every writer at once), then prints "done" (bench/pg-bench.ts).
// Usage: node test/support/pg-writer.mjs <root> <authUrl> <writer> <count> [wait]   (ST_USER/ST_KEY in the environment)
import { once } from "node:events";
import { Butler } from "../../dist/src/index.js";
import { payload, visitOf } from "./writer-payload.mjs";

const [root, authUrl, writer, count, wait] = process.argv.slice(2);
const w = Number(writer);
const butler = await Butler.create({ outputs: { root, mode: "w", storageOptions: { authUrl, user: process.env.ST_USER, key: process.env.ST_KEY } } });
try {
  if (wait === "wait") {
    process.stdout.write("ready\n");
    await once(process.stdin, "data");
    process.stdin.destroy(); // nothing more comes: let the process end when done
  }
  for (let i = 0; i < Number(count); i++) {
    await butler.put(payload(w, i), "jsonThing", { visit: visitOf(w, i) });
    process.stdout.write(`ack ${visitOf(w, i)}\n`);
  }
  if (wait === "wait") process.stdout.write("done\n");
} finally {
  await butler.close();
}
