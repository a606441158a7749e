// ProgressLogger: what fit prints, as Keras 3's ProgbarLogger and keras.utils.Progbar print it.
// verbose 1: "Epoch 3/10", then a bar redrawn after each batch (on a terminal) and a final line with
// the epoch's time and every log; verbose 2: the final line only, without the bar.
import { InputTypeError, ValueError, describeValue } from '../../errors';
import { Callback, Logs, TrainParams } from './callback';

// cli-progress does the terminal work (redraw in place, throttling); rnnkit supplies the line.
interface CliBar {
  start(total: number, startValue: number, payload: object): void;
  update(value: number, payload: object): void;
  stop(): void;
}
type CliBarInternals = CliBar & { render(): void; timer: NodeJS.Timeout | null };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { SingleBar } = require('cli-progress') as { SingleBar: new (options: object) => CliBarInternals };

// cli-progress redraws on a timer until stop(); unref'd, a fit that throws mid-epoch cannot keep the
// process alive.
class RedrawnLine extends SingleBar {
  override render(): void {
    super.render();
    this.timer?.unref?.();
  }
}

const BAR_WIDTH = 20; // Progbar's width
const REDRAW_INTERVAL = 0.05; // Progbar's interval, in seconds

export class ProgressLogger extends Callback {
  readonly verbose: 1 | 2;
  private readonly stream: NodeJS.WritableStream;
  private epochs = 1;
  private target: number | null = null;
  private seen = 0;
  private progbar: Progbar | null = null;

  constructor(verbose: 1 | 2, stream: NodeJS.WritableStream = process.stdout) {
    super();
    if (verbose !== 1 && verbose !== 2) {
      throw new ValueError(`ProgressLogger: verbose must be 1 or 2, got ${describeValue(verbose)}`);
    }
    if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
      throw new InputTypeError(`ProgressLogger: stream must be a writable stream, got ${describeValue(stream)}`);
    }
    this.verbose = verbose;
    this.stream = stream;
  }

  override setParams(params: TrainParams): void {
    super.setParams(params);
    this.epochs = params.epochs;
    this.target = params.steps;
  }

  override onEpochBegin(epoch: number): void {
    this.progbar?.stop();
    this.seen = 0;
    this.progbar = new Progbar(this.target, this.verbose, this.stream);
    if (this.epochs > 1) this.stream.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  override onTrainBatchEnd(batch: number, logs: Logs = {}): void {
    this.seen = batch + 1;
    // Keras feeds the bar per batch at verbose 1 only; verbose 2 waits for the epoch's end.
    if (this.verbose === 1) this.currentProgbar().update(this.seen, logs, false);
  }

  override onEpochEnd(_epoch: number, logs: Logs = {}): void {
    const progbar = this.currentProgbar();
    // Without a known number of steps, an epoch has as many as the first one had.
    this.target ??= this.seen;
    progbar.target = this.target;
    progbar.update(this.target, logs, true);
    this.progbar = null;
  }

  // Not in Keras: restores the terminal should an epoch not have ended.
  override onTrainEnd(): void {
    this.progbar?.stop();
    this.progbar = null;
  }

  private currentProgbar(): Progbar {
    this.progbar ??= new Progbar(this.target, this.verbose, this.stream);
    return this.progbar;
  }
}

/** One epoch's progress (keras.utils.Progbar with every metric shown as it comes). */
class Progbar {
  private readonly start = seconds();
  private afterFirstStep: number | null = null;
  private lastShown: number | null = null;
  /** Latest value of each log, in the order the names first came. */
  private readonly values = new Map<string, number>();
  private readonly tty: boolean;
  private line: RedrawnLine | null = null;

  constructor(
    public target: number | null,
    private readonly verbose: 1 | 2,
    private readonly stream: NodeJS.WritableStream,
  ) {
    this.tty = (stream as { isTTY?: boolean }).isTTY === true;
  }

  update(current: number, logs: Logs, finalize: boolean): void {
    for (const [name, value] of Object.entries(logs)) this.values.set(name, value);
    const now = seconds();
    const timePerStep = this.estimateStepDuration(current, now);
    const known = this.target !== null && this.target > 0;
    if (this.verbose === 2) {
      if (finalize && known) this.stream.write(this.summaryLine(current, now, timePerStep) + '\n');
      return;
    }
    if (!finalize && this.lastShown !== null && now - this.lastShown < REDRAW_INTERVAL) return;
    this.lastShown = now;
    if (!this.tty) {
      // Not a terminal (a file, a pipe, a CI log): no redrawing, just each epoch's final line.
      if (finalize) this.stream.write(this.barLine(current, finalize, now, timePerStep, false) + '\n');
      return;
    }
    const payload = { line: this.barLine(current, finalize, now, timePerStep, true) };
    if (this.line === null) {
      this.line = new RedrawnLine({
        stream: this.stream,
        format: (_options: unknown, _params: unknown, p: { line: string }) => p.line,
        fps: 1 / REDRAW_INTERVAL,
      });
      this.line.start(this.target ?? 0, current, payload);
    } else {
      this.line.update(current, payload);
    }
    if (finalize) this.stop();
  }

  /** Draws the last line for good and leaves the cursor on the next one. */
  stop(): void {
    this.line?.stop();
    this.line = null;
  }

  // Progbar._estimate_step_duration: the first step (often slow) is left out once there are others.
  private estimateStepDuration(current: number, now: number): number {
    if (current === 0) return 0;
    const perStep =
      this.afterFirstStep !== null && current > 1
        ? (now - this.afterFirstStep) / (current - 1)
        : (now - this.start) / current;
    if (current === 1) this.afterFirstStep = now;
    return perStep;
  }

  // "32/32 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - loss: 0.4321", with Progbar's colours on a terminal.
  private barLine(current: number, finalize: boolean, now: number, timePerStep: number, colour: boolean): string {
    const paint = (code: number, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
    const target = this.target;
    let bar: string;
    if (target !== null && target > 0) {
      const count = `${String(current).padStart(String(target).length)}/${target}`;
      const done = Math.trunc(BAR_WIDTH * (current / target));
      bar = `${paint(1, count)} ${done > 0 ? paint(32, '━'.repeat(done)) : ''}`;
      bar += paint(37, '━'.repeat(Math.max(0, BAR_WIDTH - done)));
    } else {
      bar = `${String(current).padStart(7)}/Unknown`;
    }
    const time =
      target !== null && target > 0 && !finalize
        ? formatEta(timePerStep * (target - current))
        : `${formatFixed(now - this.start, 0)}s`;
    let info = ` ${paint(1, time)}${formatStepTime(timePerStep)}`;
    for (const [name, value] of this.values) info += ` - ${name}: ${formatBarValue(value)}`;
    return bar + info;
  }

  // verbose 2's line: "32/32 - 0s - 5ms/step - loss: 0.4321".
  private summaryLine(current: number, now: number, timePerStep: number): string {
    const target = this.target ?? 0;
    let info = `${String(current).padStart(String(target).length)}/${target}`;
    info += ` - ${formatFixed(now - this.start, 0)}s -${formatStepTime(timePerStep)}`;
    for (const [name, value] of this.values) info += ` - ${name}: ${formatSummaryValue(value)}`;
    return info;
  }
}

function seconds(): number {
  return performance.now() / 1000;
}

/** A log value on the verbose-1 bar: 4 decimals, or 4 significant digits in e-notation when |v| <= 1e-3. */
export function formatBarValue(value: number): string {
  return Math.abs(value) > 1e-3 ? formatFixed(value, 4) : formatExponent(value, 4);
}

/** A log value on a verbose-2 line. Keras tests v > 1e-3 here, not |v|: negative values get e-notation. */
export function formatSummaryValue(value: number): string {
  return value > 1e-3 ? formatFixed(value, 4) : formatExponent(value, 4);
}

/** Progbar._format_time, with its leading space: " 3s/step", " 25ms/step", " 840us/step". */
export function formatStepTime(secondsPerStep: number, unit = 'step'): string {
  if (secondsPerStep >= 1 || secondsPerStep === 0) return ` ${formatFixed(secondsPerStep, 0)}s/${unit}`;
  if (secondsPerStep >= 1e-3) return ` ${formatFixed(secondsPerStep * 1000, 0)}ms/${unit}`;
  return ` ${formatFixed(secondsPerStep * 1e6, 0)}us/${unit}`;
}

/** The time left, as Progbar shows it: "1:02:03", "2:05" or "42s" (whole units, cut, not rounded). */
export function formatEta(eta: number): string {
  // Python's '%d' truncates; its '//' floors.
  const two = (n: number) => String(Math.trunc(n)).padStart(2, '0');
  if (eta > 3600) return `${Math.floor(eta / 3600)}:${two(Math.floor((eta % 3600) / 60))}:${two(eta % 60)}`;
  if (eta > 60) return `${Math.floor(eta / 60)}:${two(eta % 60)}`;
  return `${Math.trunc(eta)}s`;
}

/** Python's f'{x:.Nf}'. Unlike Number#toFixed, an exact tie rounds to even: 0.40625 -> '0.4062'. */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const { int, scale } = exactDecimal(x);
  const rounded = shiftRoundingHalfEven(int, scale - digits).toString().padStart(digits + 1, '0');
  const whole = digits > 0 ? `${rounded.slice(0, -digits)}.${rounded.slice(-digits)}` : rounded;
  return signOf(x) + whole;
}

/** Python's f'{x:.Ne}': '1.2340e-04', '0.0000e+00', ties to even like formatFixed. */
export function formatExponent(x: number, digits: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const { int, scale } = exactDecimal(x);
  let mantissa = '0'.repeat(digits + 1);
  let exponent = 0;
  if (int !== 0n) {
    const length = int.toString().length;
    exponent = length - 1 - scale;
    mantissa = shiftRoundingHalfEven(int, length - 1 - digits).toString();
    if (mantissa.length > digits + 1) {
      // Rounded up to the next power of ten (9.99995 -> 10.0000): one more in the exponent.
      mantissa = mantissa.slice(0, digits + 1);
      exponent += 1;
    }
  }
  const body = digits > 0 ? `${mantissa[0]}.${mantissa.slice(1)}` : mantissa;
  const exp = `${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return `${signOf(x)}${body}e${exp}`;
}

function nonFinite(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  return x > 0 ? 'inf' : '-inf';
}

// Python keeps the sign of negative values that round to zero, and of -0.0.
function signOf(x: number): string {
  return x < 0 || Object.is(x, -0) ? '-' : '';
}

/** |x| exactly, as int / 10^scale: a double is m * 2^e, and m / 2^k = m * 5^k / 10^k. */
function exactDecimal(x: number): { int: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = biased === 0 ? -1074 : biased - 1075;
  if (exponent >= 0) return { int: mantissa << BigInt(exponent), scale: 0 };
  return { int: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** n / 10^drop rounded half to even (n * 10^-drop when drop < 0). */
function shiftRoundingHalfEven(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const divisor = 10n ** BigInt(drop);
  const quotient = n / divisor;
  const twiceRemainder = (n % divisor) * 2n;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && quotient % 2n === 1n)) return quotient + 1n;
  return quotient;
}
