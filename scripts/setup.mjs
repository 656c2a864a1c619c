#!/usr/bin/env node
// One-time set-up shared by `npm test`, `npm run demo` and `npm run bench`, so that each of them
// works on a fresh clone: installs the npm packages when node_modules is missing or stale and,
// for tests and benchmarks, the Debian packages the interop tests compare against.
// Plain JavaScript on purpose: it must run before TypeScript tooling is installed.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const forTests = process.argv.includes("--for-tests");
const forBench = process.argv.includes("--for-bench");

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function run(cmd, args, options = {}) {
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], cwd: root, ...options });
}

// --- npm packages ----------------------------------------------------------------------------
function npmInstalled() {
  const marker = join(root, "node_modules", ".package-lock.json");
  if (!existsSync(marker)) return false;
  return statSync(marker).mtimeMs >= statSync(join(root, "package-lock.json")).mtimeMs - 1000;
}
function nativeModulesLoad() {
  // better-sqlite3 is a native addon: a copied or stale node_modules may hold a build for another Node
  const probe = spawnSync(process.execPath, ["-e", "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root });
  return probe.status === 0;
}
if (!npmInstalled() || !nativeModulesLoad()) {
  log("installing npm packages (npm ci; better-sqlite3 builds from source, about a minute)");
  run("npm", ["ci", "--no-audit", "--no-fund"]);
}

// --- Debian packages -------------------------------------------------------------------------
// Debian's python, not a pyenv one earlier on PATH: astropy is installed into Debian's dist-packages.
const PY = "/usr/bin/python3";
const debianNeeds = [];
if (forTests || forBench) {
  debianNeeds.push({ pkg: "python3-astropy", ok: () => spawnSync(PY, ["-c", "import astropy.io.fits"]).status === 0 });
  debianNeeds.push({ pkg: "python3-numpy", ok: () => spawnSync(PY, ["-c", "import numpy"]).status === 0 });
  // The render tests decode previews with matplotlib's imread (and PIL, which it brings); the render
  // benchmark's peer writes the same PNG with astropy + matplotlib.
  debianNeeds.push({ pkg: "python3-matplotlib", ok: () => spawnSync(PY, ["-c", "import matplotlib, PIL"]).status === 0 });
  // A real OpenStack Swift (and Keystone) for the SwiftStorage tests, run from one temp directory
  // by test/support/swift-server.sh; one file each package ships proves it is installed.
  for (const [pkg, file] of [
    ["swift", "/usr/bin/swift-config"],
    ["swift-proxy", "/usr/bin/swift-proxy-server"],
    ["swift-account", "/usr/bin/swift-account-server"],
    ["swift-container", "/usr/bin/swift-container-server"],
    ["swift-object", "/usr/bin/swift-object-server"],
    ["python3-swiftclient", "/usr/bin/swift"],
    ["python3-keystone", "/usr/bin/keystone-wsgi-public"],
    ["python3-keystonemiddleware", "/usr/lib/python3/dist-packages/keystonemiddleware/auth_token/__init__.py"],
  ]) {
    debianNeeds.push({ pkg, ok: () => existsSync(file) });
  }
  // CFITSIO as the second independent implementation: fpack/funpack, headers + library for the
  // small C reader/writer the FITS tests and benchmarks compile, and fitsverify.
  debianNeeds.push({ pkg: "libcfitsio-bin", ok: () => existsSync("/usr/bin/fpack") && existsSync("/usr/bin/funpack") });
  debianNeeds.push({ pkg: "libcfitsio-dev", ok: () => existsSync("/usr/include/fitsio.h") });
  debianNeeds.push({ pkg: "fitsverify", ok: () => existsSync("/usr/bin/fitsverify") });
  debianNeeds.push({ pkg: "gcc", ok: () => spawnSync("gcc", ["--version"]).status === 0 });
  // PostgreSQL for the PgRegistry, the PostgreSQL record store and the many-writer test: the tests
  // run their own server (initdb + pg_ctl in a temp directory, test/support/pg-server.ts); btree_gist
  // (calibration validity exclusion constraints) ships with the server package. openssl makes its
  // self-signed TLS certificate.
  debianNeeds.push({ pkg: "postgresql", ok: () => postgresHas("bin/initdb") && postgresHas("bin/pg_ctl") });
  debianNeeds.push({ pkg: "postgresql-contrib", ok: () => postgresShareHas("extension/btree_gist.control") });
  debianNeeds.push({ pkg: "openssl", ok: () => spawnSync("openssl", ["version"]).status === 0 });
}
/** Whether some installed PostgreSQL version has a file below /usr/lib/postgresql/<version>/. */
function postgresHas(file) {
  const base = "/usr/lib/postgresql";
  return existsSync(base) && readdirSync(base).some((v) => existsSync(join(base, v, file)));
}
/** Whether some installed PostgreSQL version has a file below /usr/share/postgresql/<version>/. */
function postgresShareHas(file) {
  const base = "/usr/share/postgresql";
  return existsSync(base) && readdirSync(base).some((v) => existsSync(join(base, v, file)));
}
if (forTests) {
  // Debian's Chromium for the repository browser's test (driven by playwright-core, which brings no browser)
  debianNeeds.push({ pkg: "chromium", ok: () => existsSync("/usr/bin/chromium") });
}
const missing = debianNeeds.filter((d) => !d.ok()).map((d) => d.pkg);
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    log(`missing Debian packages: ${missing.join(" ")}; install them as root: apt-get install ${missing.join(" ")}`);
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(" ")}`);
  run("apt-get", ["update", "-qq"]);
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "-o", "DPkg::Lock::Timeout=600", ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

// --- the built CLI ----------------------------------------------------------------------------
// The command-line and server tests run the built `skybutler` (dist/src/cli/main.js) as a child
// process, as users do; compile it when the sources changed (test/support/cli.ts checks again).
if (forTests || forBench) run(process.execPath, [join(root, "scripts", "build-if-stale.mjs")]);
