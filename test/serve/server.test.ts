// rnnkit serve's HTTP API: TensorFlow Serving's REST dialect, its errors, metrics, and dynamic
// batching that never changes a request's result.
import * as path from 'path';
import { Dense, Embedding, LSTM, Sequential, loadModel, tensor } from '../../src';
import { createModelServer } from '../../src/serve/server';
import { DynamicBatcher } from '../../src/serve/batcher';

const EXAMPLE = path.join(__dirname, '..', '..', 'models', 'trend-classifier', 'model.keras');

// Over real HTTP on loopback (Fastify's inject pulls in an ES-module-only dependency jest cannot load).
interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): any;
}
interface TestApp {
  inject(request: string | { url: string; method?: string; payload?: string; headers?: Record<string, string> }): Promise<Reply>;
}
const servers: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function listen(server: ReturnType<typeof createModelServer>): Promise<Omit<ReturnType<typeof createModelServer>, 'app'> & { app: TestApp }> {
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  servers.push(server.app);
  const app: TestApp = {
    async inject(request) {
      const r = typeof request === 'string' ? { url: request } : request;
      const res = await fetch(address + r.url, { method: r.method ?? 'GET', body: r.payload, headers: r.headers });
      const body = await res.text();
      return { statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), body, json: () => JSON.parse(body) };
    },
  };
  return { ...server, app };
}

async function exampleServer(options: { maxBatch?: number; batchTimeoutMs?: number; bodyLimit?: number } = {}) {
  const model = await loadModel(EXAMPLE);
  return { model, ...(await listen(createModelServer({ model, name: 'trend', ...options }))) };
}

const post = (app: TestApp, url: string, body: unknown) =>
  app.inject({ method: 'POST', url, payload: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json' } });

const up = [[0], [0.1], [0.3], [0.4], [0.6], [0.7]];
const down = [[0.5], [0.4], [0.2], [0.1], [-0.1], [-0.2]];

describe('endpoints', () => {
  test('predict in row form answers { predictions } equal to model.predict', async () => {
    const { app, model } = await exampleServer();
    const res = await post(app, '/v1/models/trend:predict', { instances: [up, down] });
    expect(res.statusCode).toBe(200);
    const expected = model.predict(tensor([up, down]));
    const got = res.json().predictions as number[][];
    expect(got).toHaveLength(2);
    got.forEach((row, i) => expect(row[0]).toBeCloseTo(expected.data[i], 6));
    expect(got[0][0]).toBeGreaterThan(0.5);
    expect(got[1][0]).toBeLessThan(0.5);
  });

  test('predict in columnar form, bare or named, answers { outputs }', async () => {
    const { app } = await exampleServer();
    const bare = await post(app, '/v1/models/trend:predict', { inputs: [up] });
    const named = await post(app, '/v1/models/trend:predict', { inputs: { input: [up] } });
    expect(bare.json().outputs).toHaveLength(1);
    expect(named.json().outputs).toEqual(bare.json().outputs);
  });

  test('status, metadata (shapes with -1 for any size) and healthz', async () => {
    const { app } = await exampleServer();
    expect((await app.inject('/v1/models/trend')).json().model_version_status[0].state).toBe('AVAILABLE');
    const meta = (await app.inject('/v1/models/trend/metadata')).json();
    const sig = meta.metadata.signature_def.signature_def.serving_default;
    expect(sig.inputs.input.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', '-1', '1']);
    expect(sig.outputs.output.tensor_shape.dim.map((d: { size: string }) => d.size)).toEqual(['-1', '1']);
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
  });

  test('metrics in Prometheus text: requests, batch sizes, latency histogram, queue depth', async () => {
    const { app } = await exampleServer();
    await post(app, '/v1/models/trend:predict', { instances: [up] });
    await post(app, '/v1/models/trend:predict', { instances: 'nope' });
    const res = await app.inject('/metrics');
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/rnnkit_serve_requests_total\{endpoint="\/v1\/models\/\*",status="200"\} 1/);
    expect(res.body).toMatch(/rnnkit_serve_requests_total\{endpoint="\/v1\/models\/\*",status="400"\} 1/);
    expect(res.body).toMatch(/rnnkit_serve_batch_size_count 1/);
    expect(res.body).toMatch(/rnnkit_serve_request_duration_seconds_bucket\{le="0.005",endpoint="\/v1\/models\/\*"\}/);
    expect(res.body).toMatch(/rnnkit_serve_queue_depth 0/);
    expect(res.body).toMatch(/rnnkit_serve_process_resident_memory_bytes/);
  });
});

describe('bad requests get a JSON error and hurt nobody', () => {
  test.each([
    ['malformed JSON', '{"instances": [', 400, /not valid JSON/],
    ['neither instances nor inputs', { rows: [up] }, 400, /exactly one of "instances" or "inputs"/],
    ['an empty instance list', { instances: [] }, 400, /"instances" is empty/],
    ['a non-number', { instances: [[[0], ['x']]] }, 400, /instances\[0\]\[1\]\[0\] must be a finite number, got "x"/],
    ['the wrong feature size', { instances: [[[0, 1], [2, 3]]] }, 400, /instances\[0\] must have shape \[any, 1\], got \[2, 2\]/],
    ['the wrong rank', { instances: [[0, 1, 2]] }, 400, /must have shape \[any, 1\], got \[3\]/],
    ['ragged steps', { instances: [[[0], [1, 2]]] }, 400, /ragged/],
    ['instances of different lengths', { instances: [up, up.slice(2)] }, 400, /all instances must have one shape/],
  ])('%s', async (_name, body, status, message) => {
    const { app } = await exampleServer();
    const res = await post(app, '/v1/models/trend:predict', body);
    expect(res.statusCode).toBe(status);
    expect(res.json().error).toMatch(message);
  });

  test("a body without a JSON content type is read as JSON, as TensorFlow Serving does (curl -d)", async () => {
    const { app } = await exampleServer();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await app.inject({ method: 'POST', url: '/v1/models/trend:predict', payload: JSON.stringify({ instances: [up] }), headers: form });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().predictions).toHaveLength(1);
    const bad = await app.inject({ method: 'POST', url: '/v1/models/trend:predict', payload: '{"instances": [', headers: form });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/body is not valid JSON/);
  });

  test('an unknown model or route: 404', async () => {
    const { app } = await exampleServer();
    const res = await post(app, '/v1/models/other:predict', { instances: [up] });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatch(/model 'other' is not served here; this server serves 'trend'/);
    expect((await app.inject('/v1/models/other/metadata')).statusCode).toBe(404);
    expect((await app.inject('/nothing')).statusCode).toBe(404);
  });

  test('a body over the limit: 413', async () => {
    const { app } = await exampleServer({ bodyLimit: 1000 });
    const res = await post(app, '/v1/models/trend:predict', { instances: Array.from({ length: 100 }, () => up) });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toMatch(/larger than the 1000-byte limit/);
  });

  test('token ids out of range for an Embedding model: 400 naming the range', async () => {
    const model = new Sequential([new Embedding(10, 3, { inputLength: 4, seed: 1 }), new LSTM(2, { seed: 2 }), new Dense(1, { seed: 3 })]);
    const { app } = await listen(createModelServer({ model, name: 'ids' }));
    const res = await post(app, '/v1/models/ids:predict', { instances: [[1, 2, 3, 10]] });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/instances\[0\]\[3\] must be a token id, an integer in \[0, 10\), got 10/);
    const ok = await post(app, '/v1/models/ids:predict', { instances: [[1, 2, 3, 9]] });
    expect(ok.statusCode).toBe(200);
  });
});

describe('dynamic batching', () => {
  test('concurrent requests of mixed lengths each get what they get alone, every instance predicted once', async () => {
    const { app, model, metrics } = await exampleServer({ maxBatch: 16, batchTimeoutMs: 20 });
    const requests = Array.from({ length: 24 }, (_, i) => {
      const steps = 3 + (i % 4);
      return Array.from({ length: 1 + (i % 3) }, (_, k) => Array.from({ length: steps }, (_, t) => [Math.sin(i + k + t * 0.7)]));
    });
    const replies = await Promise.all(requests.map((instances) => post(app, '/v1/models/trend:predict', { instances })));
    for (const [i, reply] of replies.entries()) {
      expect(reply.statusCode).toBe(200);
      const alone = model.predict(tensor(requests[i]));
      const got = (reply.json().predictions as number[][]).map((r) => r[0]);
      got.forEach((v, k) => expect(v).toBe(alone.data[k])); // bit for bit
    }
    const instances = requests.reduce((n, r) => n + r.length, 0);
    const metric = (await metrics.batchSize.get()).values.find((v) => v.metricName === 'rnnkit_serve_batch_size_sum')!;
    expect(metric.value).toBe(instances);
  });

  test('one bad request among concurrent good ones fails alone', async () => {
    const { app } = await exampleServer({ maxBatch: 64, batchTimeoutMs: 20 });
    const bodies = [{ instances: [up] }, { instances: [[[0], ['bad']]] }, { instances: [down] }];
    const replies = await Promise.all(bodies.map((b) => post(app, '/v1/models/trend:predict', b)));
    expect(replies.map((r) => r.statusCode)).toEqual([200, 400, 200]);
  });

  test('a lone request runs at once; those arriving while a batch runs go together when it ends', async () => {
    const sizes: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new DynamicBatcher(
      async (x) => {
        await gate;
        return x;
      },
      { maxBatch: 64, timeoutMs: 10_000, onBatch: (n) => sizes.push(n) },
    );
    const row = (v: number) => [Float32Array.of(v)];
    const first = batcher.submit(row(1), [1]);
    await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([1]); // no waiting for the 10 s timeout
    const later = [2, 3, 4].map((v) => batcher.submit(row(v), [1]));
    expect(batcher.queueDepth).toBe(3);
    release();
    const results = await Promise.all([first, ...later]);
    expect(results.map((r) => r.rows[0][0])).toEqual([1, 2, 3, 4]);
    expect(sizes).toEqual([1, 3]);
  });

  test('the batcher splits a batch back in order and respects maxBatch', async () => {
    const sizes: number[] = [];
    const batcher = new DynamicBatcher(async (x) => x, { maxBatch: 4, timeoutMs: 50, onBatch: (n) => sizes.push(n) });
    const rows = (start: number, n: number) => Array.from({ length: n }, (_, i) => Float32Array.of(start + i, -(start + i)));
    const results = await Promise.all([batcher.submit(rows(0, 3), [2]), batcher.submit(rows(10, 2), [2]), batcher.submit(rows(20, 1), [2])]);
    expect(results.map((r) => r.rows.map((x) => x[0]))).toEqual([[0, 1, 2], [10, 11], [20]]);
    expect(results[1].rowShape).toEqual([2]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(6);
  });
});
