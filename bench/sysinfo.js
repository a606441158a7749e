// @ts-check
// What machine and build a run was on: CPU, cores, node, OpenBLAS, rnnkit commit, date.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

/**
 * @typedef {object} SysInfo
 * @property {string} date          ISO 8601
 * @property {string} cpu           model name from /proc/cpuinfo
 * @property {number} cores
 * @property {string[]} simd        avx2 / avx512f / ... present
 * @property {string} node
 * @property {string} platform
 * @property {string | null} openblas  library file, version and variant, when found
 * @property {Record<string, string>} env  OPENBLAS_* / RNNKIT_* variables that were set
 * @property {string} rnnkit        package version
 * @property {string | null} commit git commit of the work tree (+ "-dirty")
 */

/** @param {string[]} cmd @param {string} [cwd] */
function run(cmd, cwd) {
  try {
    return execFileSync(cmd[0], cmd.slice(1), { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim();
  } catch {
    return null;
  }
}

function cpuInfo() {
  let text = '';
  try {
    text = fs.readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux
  }
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  const flags = new Set((/^flags\s*:\s*(.+)$/m.exec(text)?.[1] ?? '').split(/\s+/));
  const simd = ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_bf16', 'amx_tile'].filter((f) => flags.has(f));
  return { model, simd };
}

/**
 * The OpenBLAS the native addon links: `ldd` on the .node file, the link resolved to its real
 * file (e.g. openblas-pthread/libopenblasp-r0.3.21.so: version 0.3.21, pthread variant).
 * @param {string | null} nativeFile
 */
function openblasInfo(nativeFile) {
  if (!nativeFile) return null;
  const ldd = run(['ldd', nativeFile]);
  const line = ldd?.split('\n').find((l) => /openblas|libblas/i.test(l));
  const lib = line && /=>\s*(\S+)/.exec(line)?.[1];
  if (!lib) return null;
  let real = lib;
  try {
    real = fs.realpathSync(lib);
  } catch {
    // keep the link
  }
  const version = /-r(\d+\.\d+\.\d+)/.exec(real)?.[1];
  const variant = /openblas-(pthread|openmp|serial)/.exec(real)?.[1];
  return [`OpenBLAS${version ? ` ${version}` : ''}${variant ? ` (${variant})` : ''}`, real].join(', ');
}

/** @param {string | null} nativeFile @returns {SysInfo} */
function sysInfo(nativeFile) {
  const root = path.resolve(__dirname, '..');
  const cpu = cpuInfo();
  /** @type {Record<string, string>} */
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(OPENBLAS_|RNNKIT_|OMP_NUM_THREADS$)/.test(k) && v !== undefined) env[k] = v;
  }
  const commit = run(['git', 'rev-parse', '--short', 'HEAD'], root);
  const dirty = commit ? run(['git', 'status', '--porcelain', '--untracked-files=no'], root) : null;
  return {
    date: new Date().toISOString(),
    cpu: cpu.model,
    cores: os.cpus().length,
    simd: cpu.simd,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    openblas: openblasInfo(nativeFile),
    env,
    rnnkit: JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version,
    commit: commit ? `${commit}${dirty ? '-dirty' : ''}` : null,
  };
}

module.exports = { sysInfo };
