#!/usr/bin/env node
// The rnnkit command.
import { parseArgs } from 'util';
import { backend } from '../backend';
import { runDemo } from './demo';
import { inspectModel } from './inspect';
import { runServe } from '../serve/run';

const usage = `usage: rnnkit <command>

commands:
  demo      run the Keras RNN tutorial's examples (summaries, the numpy recurrence,
            deep and bidirectional stacks, the quiz model, return_sequences / return_state,
            and training the LSTM that predicts the next number of a sequence)
  inspect <file>
            read a model file (.keras, .h5, or a TF.js model.json / directory) and print
            its format, summary and where each weight came from
  serve [--model <file>] [--name <name>] [--port 8501] [--host 127.0.0.1]
        [--max-batch 64] [--batch-timeout-ms 2] [--threads n]
            serve a model over TensorFlow Serving's REST API with dynamic batching
            (without --model: the bundled example, a series trend classifier)
  backend   print which backend runs and why
  help      print this text

environment:
  RNNKIT_BACKEND=native|ts   force a backend
  RNNKIT_THREADS=n           threads that split a batch on the native backend`;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'serve') return serveCommand(argv.slice(1));
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
  const [command = 'help', ...rest] = positionals;
  if (command === 'inspect') {
    if (rest.length !== 1) {
      process.stderr.write(`rnnkit inspect: expected one model file, got ${rest.length}\n${usage}\n`);
      return 2;
    }
    console.log(inspectModel(rest[0]));
    return 0;
  }
  if (rest.length > 0) {
    process.stderr.write(`rnnkit: unexpected arguments: ${rest.join(' ')}\n${usage}\n`);
    return 2;
  }
  switch (command) {
    case 'demo':
      await runDemo();
      return 0;
    case 'backend':
      console.log(JSON.stringify(backend(), null, 2));
      return 0;
    case 'help':
      console.log(usage);
      return 0;
    default:
      process.stderr.write(`rnnkit: unknown command '${command}'\n${usage}\n`);
      return 2;
  }
}

function intOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got '${value}'`);
  return n;
}

async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      name: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'max-batch': { type: 'string' },
      'batch-timeout-ms': { type: 'string' },
      threads: { type: 'string' },
    },
  });
  await runServe({
    model: values.model,
    name: values.name,
    port: intOption('port', values.port, 8501, 0),
    host: values.host ?? '127.0.0.1',
    maxBatch: intOption('max-batch', values['max-batch'], 64, 1),
    batchTimeoutMs: intOption('batch-timeout-ms', values['batch-timeout-ms'], 2, 0),
    threads: values.threads === undefined ? undefined : intOption('threads', values.threads, 1, 1),
  });
  return 0; // the server keeps the process alive; a signal ends it
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rnnkit: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
