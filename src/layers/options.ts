// Option checking shared by every layer: unknown option names are an error, with a suggestion.
import { InputTypeError, ValueError, describeValue } from '../errors';

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      dp[i][j] = Math.min(dp[i - 1][j] + 1, dp[i][j - 1] + 1, dp[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return dp[a.length][b.length];
}

/** Throws ValueError for an option name that `known` does not list, naming the closest known one. */
export function checkOptionNames(owner: string, options: object | undefined, known: readonly string[]): void {
  if (options === undefined || options === null) return;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InputTypeError(`${owner}: options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const best = known
      .map((k) => ({ k, d: k === camel ? 0 : editDistance(key.toLowerCase(), k.toLowerCase()) }))
      .sort((x, y) => x.d - y.d)[0];
    const hint = best && best.d <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean '${best.k}'?)` : '';
    throw new ValueError(`${owner}: unknown option '${key}'${hint}; known options: ${known.join(', ')}`);
  }
}

export function checkPositiveInt(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ValueError(`${owner}: ${name} must be an integer >= 1, got ${describeValue(value)}`);
  }
  return value;
}

export function checkBoolean(owner: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new ValueError(`${owner}: ${name} must be true or false, got ${describeValue(value)}`);
  }
  return value;
}

export function checkRate(owner: string, name: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new ValueError(`${owner}: ${name} must be a number in [0, 1), got ${describeValue(value)}`);
  }
  return value;
}
