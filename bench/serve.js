// npm run bench:serve: load on `rnnkit serve` (the bundled trend classifier, LSTM(16) -> Dense(1))
// from autocannon on loopback. The server runs in its own process, so the load generator does
// not share its event loop. Each row: 10 s at one concurrency, batching on (--max-batch 64
// --batch-timeout-ms 2) or off (--max-batch 1); one instance of 20 steps per request. Then a 60 s
// soak at concurrency 64 with batching on, reading the server's RSS from /metrics at the start
// and the end. Writes bench/results/serve.{md,json}. Options: --seconds N (per row), --soak N.
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const autocannon = require('autocannon');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SECONDS = opt('seconds', 10);
const SOAK = opt('soak', 60);
const cli = path.join(__dirname, '..', 'lib', 'cli', 'index.js');
const body = JSON.stringify({ instances: [Array.from({ length: 20 }, (_, t) => [Math.sin(t / 3)])] });

function startServer(extra) {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      const m = /at (http:\/\/[^/\s]+)/.exec(out);
      if (m) {
        clearInterval(t);
        resolve({ child, url: m[1] });
      }
    }, 20);
    child.on('exit', (c) => reject(new Error(`server exited ${c}`)));
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function load(url, connections, duration) {
  return autocannon({
    url: `${url}/v1/models/trend_classifier:predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration,
  });
}

async function rss(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/rnnkit_serve_process_resident_memory_bytes (\d+)/.exec(text)[1]);
}

(async () => {
  const rows = [];
  for (const connections of [1, 16, 64, 256]) {
    for (const [mode, extra] of [['on', ['--max-batch', '64', '--batch-timeout-ms', '2']], ['off', ['--max-batch', '1']]]) {
      const { child, url } = await startServer(extra);
      await load(url, connections, 2); // warm-up
      const r = await load(url, connections, SECONDS);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const count = Number(/rnnkit_serve_batch_size_count (\d+)/.exec(metrics)[1]);
      const sum = Number(/rnnkit_serve_batch_size_sum (\d+)/.exec(metrics)[1]);
      await stop(child);
      const row = {
        connections,
        batching: mode,
        requestsPerSecond: r.requests.average,
        p50ms: r.latency.p50,
        p99ms: r.latency.p99,
        errors: r.errors + r.non2xx + r.timeouts,
        meanBatch: sum / count,
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }
  const { child, url } = await startServer(['--max-batch', '64', '--batch-timeout-ms', '2']);
  await load(url, 64, 2);
  const rssStart = await rss(url);
  const soak = await load(url, 64, SOAK);
  const rssEnd = await rss(url);
  const exitCode = await stop(child);
  const soakResult = {
    seconds: SOAK,
    connections: 64,
    requests: soak.requests.total,
    requestsPerSecond: soak.requests.average,
    p50ms: soak.latency.p50,
    p99ms: soak.latency.p99,
    errors: soak.errors + soak.non2xx + soak.timeouts,
    rssStartMB: rssStart / 2 ** 20,
    rssEndMB: rssEnd / 2 ** 20,
    exitCode,
  };
  console.log(JSON.stringify(soakResult));
  const md = [
    '| concurrency | batching | requests/s | p50 ms | p99 ms | mean batch | errors |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.connections} | ${r.batching} | ${Math.round(r.requestsPerSecond).toLocaleString('en-US')} | ${r.p50ms} | ${r.p99ms} | ${r.meanBatch.toFixed(1)} | ${r.errors} |`),
    '',
    `Soak: ${soakResult.seconds} s at concurrency 64, batching on: ${soakResult.requests.toLocaleString('en-US')} requests, ` +
      `${Math.round(soakResult.requestsPerSecond).toLocaleString('en-US')}/s, p50 ${soakResult.p50ms} ms, p99 ${soakResult.p99ms} ms, ` +
      `${soakResult.errors} errors; server RSS ${soakResult.rssStartMB.toFixed(1)} MB at the start, ${soakResult.rssEndMB.toFixed(1)} MB at the end; exit code after SIGTERM ${exitCode}.`,
  ].join('\n');
  fs.mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'results', 'serve.md'), md + '\n');
  fs.writeFileSync(path.join(__dirname, 'results', 'serve.json'), JSON.stringify({ rows, soak: soakResult, date: new Date().toISOString() }, null, 2) + '\n');
  console.log(md);
})();
