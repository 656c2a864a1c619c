#!/usr/bin/env node
// A TCP/Unix-socket relay for the many-writer test: forwards every connection accepted on
// --listen to --to, byte for byte (a pipe in front of the real server, not a stand-in for it).
// Addresses are HOST:PORT or unix:PATH; a Unix socket is how traffic crosses from a network
// namespace to a server on the host's 127.0.0.1. Prints "ready" once listening; stops on SIGTERM.
// Usage: node tcp-relay.mjs --listen 169.254.213.1:5432 --to unix:/tmp/x/.s.PGSQL.5432
import { connect, createServer } from "node:net";

function address(text) {
  if (text.startsWith("unix:")) return { path: text.slice(5) };
  const colon = text.lastIndexOf(":");
  return { host: text.slice(0, colon), port: Number(text.slice(colon + 1)) };
}

const args = process.argv.slice(2);
const listen = address(args[args.indexOf("--listen") + 1]);
const to = address(args[args.indexOf("--to") + 1]);
const server = createServer({ pauseOnConnect: true }, (client) => {
  const upstream = connect(to, () => {
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", end).on("close", end);
  upstream.on("error", end).on("close", end);
});
server.listen(listen, () => process.stdout.write("ready\n"));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
