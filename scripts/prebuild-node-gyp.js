#!/usr/bin/env node
// @ts-check
// Stands in for node-gyp when prebuildify runs it (`node-gyp rebuild --target=… --arch=… --release`
// in its working directory): builds the package at the repository root with cmake-js into
// <cwd>/build/Release/, OpenBLAS linked statically and its symbols hidden. See prebuild.js.
'use strict';

const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const arch = (args.find((a) => a.startsWith('--arch=')) ?? `--arch=${process.arch}`).slice('--arch='.length);
const debug = args.includes('--debug');

const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const run = spawnSync(
  process.execPath,
  [cmakeJs, 'rebuild', debug ? '--debug' : '--release', '--arch', arch, '--directory', root, '--out', path.join(process.cwd(), 'build'), '--CDRNNKIT_STATIC_OPENBLAS=ON'],
  { stdio: 'inherit' },
);
process.exit(run.status ?? 1);
