// Dynamic batching: rows of requests that arrive together are run as one batch. Rows are grouped
// by their shape (bucketed by sequence length), so no padding ever changes another request's
// result. A bucket runs when it holds maxBatch rows, when its oldest row has waited timeoutMs, or
// at once when no batch is running (an idle server does not make a lone request wait): requests
// that arrive while a batch runs gather and go together when it ends.
import { Tensor } from '../tensor';

export interface BatcherOptions {
  maxBatch: number;
  timeoutMs: number;
  /** Called with each batch's size, for the metrics. */
  onBatch?: (rows: number) => void;
}

/** A request's output rows and their shape (the batch's output shape without the batch). */
export interface BatchedResult {
  rows: Float32Array[];
  rowShape: number[];
}

interface Pending {
  rows: Float32Array[];
  resolve: (result: BatchedResult) => void;
  reject: (e: unknown) => void;
}

interface Bucket {
  rowShape: number[];
  pending: Pending[];
  rows: number;
  timer: NodeJS.Timeout | null;
}

export class DynamicBatcher {
  private readonly buckets = new Map<string, Bucket>();
  private queued = 0;
  private running = 0;

  constructor(
    private readonly run: (x: Tensor) => Promise<Tensor>,
    private readonly options: BatcherOptions,
  ) {}

  /** Rows waiting for a batch. */
  get queueDepth(): number {
    return this.queued;
  }

  /** Batches running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Predicts `rows` (each of shape rowShape); the result rows come back in order. */
  submit(rows: Float32Array[], rowShape: number[]): Promise<BatchedResult> {
    // With batching off, or a request as large as a batch, it runs at once on its own.
    // So does a request that finds the server idle with nothing queued: nobody to wait for.
    const idle = this.running === 0 && this.queued === 0;
    if (idle || this.options.maxBatch <= 1 || this.options.timeoutMs <= 0 || rows.length >= this.options.maxBatch) {
      return this.execute(rowShape, [rows]).then((outs) => outs[0]);
    }
    return new Promise((resolve, reject) => {
      const key = rowShape.join('x');
      // A request that would overflow the waiting bucket sends that bucket off first.
      const waiting = this.buckets.get(key);
      if (waiting && waiting.rows + rows.length > this.options.maxBatch) this.flush(key);
      let bucket = this.buckets.get(key);
      if (!bucket) {
        bucket = { rowShape, pending: [], rows: 0, timer: null };
        this.buckets.set(key, bucket);
      }
      bucket.pending.push({ rows, resolve, reject });
      bucket.rows += rows.length;
      this.queued += rows.length;
      if (bucket.rows >= this.options.maxBatch) this.flush(key);
      else if (this.running === 0) this.flushSoon();
      else bucket.timer ??= setTimeout(() => this.flush(key), this.options.timeoutMs);
    });
  }

  private scheduled = false;

  /** Flushes every bucket after the requests parsed in this turn of the event loop have joined. */
  private flushSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const key of [...this.buckets.keys()]) this.flush(key);
    });
  }

  private flush(key: string): void {
    const bucket = this.buckets.get(key);
    if (!bucket || bucket.pending.length === 0) return;
    this.buckets.delete(key);
    if (bucket.timer) clearTimeout(bucket.timer);
    this.queued -= bucket.rows;
    this.execute(bucket.rowShape, bucket.pending.map((p) => p.rows)).then(
      (outs) => bucket.pending.forEach((p, i) => p.resolve(outs[i])),
      (e) => bucket.pending.forEach((p) => p.reject(e)),
    );
  }

  /** Runs the requests' rows as one batch and splits the output rows back per request. */
  private async execute(rowShape: number[], requests: Float32Array[][]): Promise<BatchedResult[]> {
    const total = requests.reduce((n, rows) => n + rows.length, 0);
    const rowSize = rowShape.reduce((a, b) => a * b, 1);
    const x = new Float32Array(total * rowSize);
    let offset = 0;
    for (const rows of requests) for (const r of rows) x.set(r, (offset++) * rowSize);
    this.running++;
    this.options.onBatch?.(total);
    let y: Tensor;
    try {
      y = await this.run(new Tensor(x, [total, ...rowShape]));
    } finally {
      this.running--;
      if (this.running === 0 && this.queued > 0) this.flushSoon();
    }
    const outSize = y.data.length / total;
    offset = 0;
    const outShape = y.shape.slice(1);
    return requests.map((rows) => ({ rows: rows.map(() => y.data.slice(outSize * offset, outSize * ++offset)), rowShape: outShape }));
  }
}
