// The server's Prometheus metrics (prom-client, on a registry of its own): requests, batch sizes,
// latency, queue depth, and the process's default metrics (RSS, event-loop lag, ...).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ServeMetrics {
  registry: Registry;
  requests: Counter<'endpoint' | 'status'>;
  latency: Histogram<'endpoint'>;
  batchSize: Histogram;
  instances: Counter;
}

export function createMetrics(queueDepth: () => number, inFlight: () => number): ServeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rnnkit_serve_' });
  const requests = new Counter({ name: 'rnnkit_serve_requests_total', help: 'HTTP requests by endpoint and status code', labelNames: ['endpoint', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'rnnkit_serve_request_duration_seconds',
    help: 'Request latency, from arrival to the reply',
    labelNames: ['endpoint'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'rnnkit_serve_batch_size',
    help: 'Sequences per native batch',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers: [registry],
  });
  const instances = new Counter({ name: 'rnnkit_serve_instances_total', help: 'Sequences predicted', registers: [registry] });
  new Gauge({ name: 'rnnkit_serve_queue_depth', help: 'Sequences waiting for a batch', registers: [registry], collect() { this.set(queueDepth()); } });
  new Gauge({ name: 'rnnkit_serve_batches_in_flight', help: 'Batches running now', registers: [registry], collect() { this.set(inFlight()); } });
  return { registry, requests, latency, batchSize, instances };
}
