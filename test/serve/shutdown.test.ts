// `rnnkit serve` as a process: serves the bundled example with no --model, and on SIGTERM
// finishes the requests in flight, then exits 0.
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

const cli = path.join(__dirname, '..', '..', 'lib', 'cli', 'index.js');

function start(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /at (http:\/\/[^/\s]+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    }, 20);
    child.on('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`serve exited with ${code}: ${out}`));
    });
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

test('with no --model it serves the bundled trend classifier', async () => {
  const { child, url } = await start([]);
  try {
    const res = await fetch(`${url}/v1/models/trend_classifier:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [[[0], [0.1], [0.3], [0.4], [0.6], [0.7]]] }),
    });
    expect(res.status).toBe(200);
    const reply = (await res.json()) as { predictions: number[][] };
    expect(reply.predictions[0][0]).toBeGreaterThan(0.5);
  } finally {
    child.kill('SIGTERM');
    await exited(child);
  }
});

test('SIGTERM drains the requests in flight, then exits 0', async () => {
  const { child, url, output } = await start([]);
  const code = exited(child);
  // Requests heavy enough (64 series of 3,000 steps each) to still be running when the signal comes.
  const series = Array.from({ length: 64 }, (_, i) => Array.from({ length: 3000 }, (_, t) => [Math.sin(i + t / 50)]));
  const body = JSON.stringify({ instances: series });
  const inFlight = Array.from({ length: 4 }, () =>
    fetch(`${url}/v1/models/trend_classifier:predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.status),
  );
  await new Promise((r) => setTimeout(r, 150));
  child.kill('SIGTERM');
  expect(await Promise.all(inFlight)).toEqual([200, 200, 200, 200]);
  expect(await code).toBe(0);
  expect(output()).toContain('drained');
  // The replies came after the signal: the drain waited for them.
  expect(output().indexOf('drained')).toBeGreaterThan(0);
});

test('a bad option exits 1 naming it', async () => {
  const child = spawn(process.execPath, [cli, 'serve', '--max-batch', 'lots'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  expect(await exited(child)).toBe(1);
  expect(err).toContain("--max-batch must be an integer >= 1, got 'lots'");
});
