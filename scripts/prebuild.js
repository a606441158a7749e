#!/usr/bin/env node
// @ts-check
// `npm run prebuild [-- --out DIR]`: the binary that ships in the npm package, made with prebuildify
// into DIR/prebuilds/<platform>-<arch>/ (DIR defaults to the package root). prebuildify only runs
// node-gyp, so it is handed prebuild-node-gyp.js, which runs cmake-js instead with OpenBLAS linked
// statically (RNNKIT_STATIC_OPENBLAS): the prebuild then needs nothing but glibc and libstdc++.
// The build runs in build/prebuild/, so the developer build in build/Release/ is left alone.
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');

/** @param {string[]} argv @returns {{ out: string }} */
function parseArgs(argv) {
  let out = root;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = path.resolve(argv[++i]);
    else {
      process.stderr.write(`usage: node scripts/prebuild.js [--out DIR]\nunknown argument: ${argv[i]}\n`);
      process.exit(2);
    }
  }
  return { out };
}

/**
 * Whether npm runs this as the pre-hook of `npm run build` rather than as `npm run prebuild`: npm
 * runs a script named "prebuild" before "build" of its own accord, and that run must not make a
 * prebuild. The environment is the same either way, so npm's command line says which: the nearest
 * ancestor process that is an npm run (Linux /proc; elsewhere, a direct run is assumed).
 */
function isPreHookOfBuild() {
  if (process.env.npm_lifecycle_event !== 'prebuild') return false;
  let pid = process.ppid;
  for (let depth = 0; depth < 4 && pid > 1; depth++) {
    try {
      // npm sets its process title to its command line ("npm run build"): one argv element.
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0\s]+/);
      const run = argv.findIndex((a) => a === 'run' || a === 'run-script');
      if (run >= 0 && argv.some((a) => /npm/.test(a))) return argv[run + 1] !== 'prebuild';
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}

function main() {
  if (isPreHookOfBuild()) return;
  const { out } = parseArgs(process.argv.slice(2));
  const work = path.join(root, 'build', 'prebuild');
  fs.mkdirSync(work, { recursive: true });
  const prebuildify = require.resolve('prebuildify/bin.js');
  const nodeGyp = `"${process.execPath}" "${path.join(__dirname, 'prebuild-node-gyp.js')}"`;
  const args = [prebuildify, '--napi', '--strip', '--tag-libc', '--cwd', work, '--out', out, '--node-gyp', nodeGyp];
  const run = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, PREBUILD_SHELL: 'sh' } });
  if (run.status !== 0) process.exit(run.status ?? 1);
  const dir = path.join(out, 'prebuilds', `${process.platform}-${process.arch}`);
  for (const f of fs.readdirSync(dir)) {
    process.stdout.write(`${path.join(dir, f)}: ${(fs.statSync(path.join(dir, f)).size / 1e6).toFixed(1)} MB\n`);
  }
}

main();
