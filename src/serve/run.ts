// `rnnkit serve`: loads a model (or the bundled example), listens, and on SIGTERM / SIGINT stops
// taking connections, lets in-flight requests finish, then exits 0.
import * as path from 'path';
import { setThreads } from '../backend';
import { loadModel } from '../io/load-model';
import { createModelServer } from './server';

export const EXAMPLE_MODEL = path.join(__dirname, '..', '..', 'models', 'trend-classifier', 'model.keras');

export interface ServeCliOptions {
  model?: string;
  name?: string;
  port: number;
  host: string;
  maxBatch: number;
  batchTimeoutMs: number;
  threads?: number;
}

export async function runServe(options: ServeCliOptions, log: (line: string) => void = (l) => console.log(l)): Promise<() => Promise<void>> {
  if (options.threads !== undefined) setThreads(options.threads);
  const file = options.model ?? EXAMPLE_MODEL;
  const model = await loadModel(file);
  const name = options.name ?? (options.model ? path.basename(file).replace(/\.(keras|h5|json)$/, '') : 'trend_classifier');
  const { app } = createModelServer({ model, name, maxBatch: options.maxBatch, batchTimeoutMs: options.batchTimeoutMs });
  const address = await app.listen({ port: options.port, host: options.host });
  log(`rnnkit serve: model '${name}' from ${file} at ${address}/v1/models/${name} (max batch ${options.maxBatch}, batch timeout ${options.batchTimeoutMs} ms)`);
  let closing: Promise<void> | null = null;
  const close = () => (closing ??= app.close().then(() => log('rnnkit serve: drained, exiting')));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void close().then(() => process.exit(0));
    });
  }
  return close;
}
