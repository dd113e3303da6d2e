// Preloaded with `node --require`: every outbound connection beyond loopback is refused, so an
// SDK-built app under test reaches agentdeck and nothing else (the SDK looks for updates online).
"use strict";
const net = require("net");

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);
const original = net.Socket.prototype.connect;

function targetHost(args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if (first && typeof first === "object") {
    return first.path ? null : first.host || "localhost";
  }
  if (typeof first === "string" && Number.isNaN(Number(first))) {
    return null; // a Unix socket path
  }
  return typeof args[1] === "string" ? args[1] : "localhost";
}

net.Socket.prototype.connect = function connect(...args) {
  const host = targetHost(args);
  if (host !== null && !LOOPBACK.has(host)) {
    process.stderr.write(`loopback_only: refused a connection to ${host}\n`);
    process.nextTick(() => this.destroy(new Error(`connection to ${host} refused: loopback only`)));
    return this;
  }
  return original.apply(this, args);
};
