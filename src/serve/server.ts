// rnnkit serve: TensorFlow Serving's REST API over a loaded model, with dynamic batching.
// POST /v1/models/<name>:predict, GET /v1/models/<name>[/metadata], GET /healthz, GET /metrics.
// The server keeps no state between requests, so replicas can sit behind any load balancer.
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Embedding } from '../layers/embedding';
import type { Sequential } from '../models/sequential';
import { DynamicBatcher } from './batcher';
import { ServeMetrics, createMetrics } from './metrics';
import { InputSpec, RequestError, nest, parsePredictBody } from './request';

export interface ServeOptions {
  model: Sequential;
  name: string;
  /** Most sequences in one native batch (1 turns batching off). */
  maxBatch?: number;
  /** How long the first request of a batch waits for others (0 turns batching off). */
  batchTimeoutMs?: number;
  /** Request bodies above this many bytes get 413. */
  bodyLimit?: number;
}

export interface ModelServer {
  app: FastifyInstance;
  metrics: ServeMetrics;
  batcher: DynamicBatcher;
}

function inputSpec(model: Sequential): InputSpec {
  const shape = model.inputShape;
  if (!shape) throw new Error(`${model.name}: the model has no input shape; it cannot be served`);
  const first = model.layers[0];
  return { shape: shape.slice(1), vocabulary: first instanceof Embedding ? first.inputDim : null };
}

const dims = (shape: (number | null)[]) => ({ dim: shape.map((d) => ({ size: String(d ?? -1) })) });

export function createModelServer(options: ServeOptions): ModelServer {
  const { model, name } = options;
  const spec = inputSpec(model);
  const batcher = new DynamicBatcher((x) => model.predictAsync(x), {
    maxBatch: options.maxBatch ?? 64,
    timeoutMs: options.batchTimeoutMs ?? 2,
    onBatch: (rows) => metrics.batchSize.observe(rows),
  });
  const metrics = createMetrics(
    () => batcher.queueDepth,
    () => batcher.inFlight,
  );
  const bodyLimit = options.bodyLimit ?? 16 * 1024 * 1024;
  const app = Fastify({ bodyLimit, logger: false });

  // TensorFlow Serving reads the body as JSON whatever its content type (curl -d sends a form type).
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (e) {
      done(new RequestError(`body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });

  // Every error is { error } as TensorFlow Serving replies; Fastify's own (bad JSON, 413) included.
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const status = err instanceof RequestError ? err.status : (err.statusCode ?? 500);
    const message = status === 413 ? `request body is larger than the ${bodyLimit}-byte limit` : err.message;
    void reply.status(status).send({ error: status >= 500 ? `internal error: ${message}` : message });
  });
  app.setNotFoundHandler((req, reply) => void reply.status(404).send({ error: `no route ${req.method} ${req.url}` }));

  // While closing, answer in-flight requests with Connection: close, so keep-alive connections end
  // with them and close() can finish (Node only drops the connections idle when close() starts).
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (draining) void reply.header('connection', 'close');
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const endpoint = req.routeOptions.url ?? 'unknown';
    metrics.requests.inc({ endpoint, status: String(reply.statusCode) });
    metrics.latency.observe({ endpoint }, reply.elapsedTime / 1000);
  });

  const checkName = (requested: string) => {
    if (requested !== name) throw new RequestError(`model '${requested}' is not served here; this server serves '${name}'`, 404);
  };

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_req, reply) => {
    void reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/v1/models/:name', async (req: FastifyRequest<{ Params: { name: string } }>) => {
    checkName(req.params.name);
    return { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] };
  });
  app.get('/v1/models/:name/metadata', async (req: FastifyRequest<{ Params: { name: string } }>) => {
    checkName(req.params.name);
    const output = model.outputShape as (number | null)[];
    return {
      model_spec: { name, signature_name: '', version: '1' },
      metadata: {
        signature_def: {
          signature_def: {
            serving_default: {
              inputs: { input: { dtype: 'DT_FLOAT', tensor_shape: dims(model.inputShape!), name: 'input' } },
              outputs: { output: { dtype: 'DT_FLOAT', tensor_shape: dims(output), name: 'output' } },
              method_name: 'tensorflow/serving/predict',
            },
          },
        },
      },
    };
  });
  // The model name and the verb share a path segment (<name>:predict), so match it by hand.
  app.post('/v1/models/*', async (req: FastifyRequest<{ Params: { '*': string } }>, reply: FastifyReply) => {
    const match = /^([^/:]+):predict$/.exec(req.params['*']);
    if (!match) throw new RequestError(`expected POST /v1/models/<name>:predict, got ${req.url}`, 404);
    checkName(match[1]);
    const parsed = parsePredictBody(req.body, spec);
    const result = await batcher.submit(parsed.rows, parsed.rowShape);
    metrics.instances.inc(parsed.rows.length);
    const rows = result.rows.map((r) => nest(r, result.rowShape));
    void reply.header('content-type', 'application/json');
    return parsed.form === 'instances' ? { predictions: rows } : { outputs: rows };
  });
  return { app, metrics, batcher };
}
