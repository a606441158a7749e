// Keras-style unique layer and model names: simple_rnn, simple_rnn_1, ... per process.
const counters = new Map<string, number>();

export function uniqueName(prefix: string): string {
  const n = counters.get(prefix) ?? 0;
  counters.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** Resets the name counters, like keras.backend.clear_session(). */
export function clearSession(): void {
  counters.clear();
}

/** SimpleRNN -> simple_rnn, LSTM -> lstm, GRU -> gru, Bidirectional -> bidirectional. */
export function snakeCaseName(className: string): string {
  return className
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
