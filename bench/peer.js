'use strict';
// The peer event store, @event-driven-io/emmett-sqlite, lives in its own package (bench/peer/)
// so it never enters the service's dependency tree. Installed here when missing.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const PEER_DIR = path.join(__dirname, 'peer');
const PEER_MODULES = path.join(PEER_DIR, 'node_modules');

/**
 * `{ available: true, emmett, version }` or `{ available: false, reason }`. Never throws: a peer
 * that cannot be installed or loaded is reported as unavailable and the bench goes on.
 */
function loadPeer(log) {
  let installSeconds = null;
  if (!fs.existsSync(PEER_MODULES)) {
    log('  installing the peer (bench/peer: npm install --legacy-peer-deps), once');
    const t = performance.now();
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const r = spawnSync(npm, ['install', '--legacy-peer-deps', '--no-audit', '--no-fund'], {
      cwd: PEER_DIR,
      encoding: 'utf8',
      timeout: 15 * 60 * 1000,
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
    installSeconds = (performance.now() - t) / 1000;
    if (r.stderr) process.stderr.write(r.stderr);
    if (r.error || r.status !== 0) {
      const lines = String(r.stderr || '').trim().split('\n').filter((l) => /err/i.test(l));
      const reason = r.error ? r.error.message : `npm install exited with ${r.status}${lines.length ? `: ${lines[lines.length - 1]}` : ''}`;
      fs.rmSync(PEER_MODULES, { recursive: true, force: true });
      return { available: false, reason: `install failed (${reason})`, installSeconds };
    }
    log(`  peer installed in ${installSeconds.toFixed(0)} s`);
  }
  try {
    const pkg = (name) => path.join(PEER_MODULES, ...name.split('/'));
    const emmett = require(pkg('@event-driven-io/emmett-sqlite'));
    const version = JSON.parse(fs.readFileSync(path.join(pkg('@event-driven-io/emmett-sqlite'), 'package.json'), 'utf8')).version;
    const sqlite3Version = JSON.parse(fs.readFileSync(path.join(pkg('sqlite3'), 'package.json'), 'utf8')).version;
    const emmettCore = JSON.parse(fs.readFileSync(path.join(pkg('@event-driven-io/emmett'), 'package.json'), 'utf8')).version;
    return { available: true, emmett, version, versions: { 'emmett-sqlite': version, emmett: emmettCore, sqlite3: sqlite3Version }, installSeconds };
  } catch (e) {
    return { available: false, reason: `cannot load (${e && e.message ? e.message.split('\n')[0] : e})`, installSeconds };
  }
}

/** The installed peer module itself (event-store-worker.js); throws when it is not installed. */
function requirePeer() {
  return require(path.join(PEER_MODULES, '@event-driven-io', 'emmett-sqlite'));
}

module.exports = { loadPeer, requirePeer, PEER_DIR };
