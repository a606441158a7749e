// Tokenizer: Keras's legacy text Tokenizer (keras.preprocessing.text), texts -> 1-based word ids.
// Follows keras/src/legacy/preprocessing/text.py. Counts live in Maps, not objects, because a
// JS object puts integer-like keys ("2024") first and Keras's tie order is first-seen order.
import { InputTypeError, StateError, ValueError, describeValue } from '../errors';
import { checkOptionNames } from '../layers/options';

/** Keras's default filters: the ASCII punctuation except the apostrophe, plus tab and newline. */
export const DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

export interface TextToWordSequenceOptions {
  /** Characters replaced by `split` before splitting (default DEFAULT_FILTERS). */
  filters?: string;
  /** Lowercase the text first (default true). */
  lower?: boolean;
  /** The separator words are split on (default ' '). */
  split?: string;
}

export interface TokenizerOptions extends TextToWordSequenceOptions {
  /** Keep only the numWords - 1 most frequent words (ids < numWords) when turning texts into ids. */
  numWords?: number | null;
  /** Every character is a token; filters and split are not used (default false). */
  charLevel?: boolean;
  /** Takes id 1 and stands in for every word that is unknown or cut off by numWords. */
  oovToken?: string | null;
}

/** The text a Tokenizer takes: a string to split, or a list of words used as they are. */
export type TokenizerText = string | readonly string[];

interface WordSplitting {
  filters: ReadonlySet<string>;
  lower: boolean;
  split: string;
}

function checkString(owner: string, name: string, value: unknown): string {
  if (typeof value !== 'string') throw new InputTypeError(`${owner}: ${name} must be a string, got ${describeValue(value)}`);
  return value;
}

function checkFlag(owner: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InputTypeError(`${owner}: ${name} must be true or false, got ${describeValue(value)}`);
  return value;
}

function readWordSplitting(owner: string, options: TextToWordSequenceOptions): WordSplitting {
  const filters = checkString(owner, 'filters', options.filters ?? DEFAULT_FILTERS);
  const split = checkString(owner, 'split', options.split ?? ' ');
  // Python's str.split('') raises "empty separator"; say so before any text is seen.
  if (split === '') throw new ValueError(`${owner}: split must be a non-empty string, got the empty string`);
  // Python iterates a str by code point, so an astral character in filters is one filter.
  return { filters: new Set(Array.from(filters)), lower: checkFlag(owner, 'lower', options.lower, true), split };
}

function splitWords(text: string, how: WordSplitting): string[] {
  const lowered = how.lower ? text.toLowerCase() : text;
  const replaced = Array.from(lowered, (ch) => (how.filters.has(ch) ? how.split : ch)).join('');
  return replaced.split(how.split).filter((word) => word !== '');
}

/**
 * Splits a text into words as keras.preprocessing.text.text_to_word_sequence: lowercase, replace
 * every filter character with `split`, split on `split`, drop the empty strings.
 */
export function textToWordSequence(text: string, options: TextToWordSequenceOptions = {}): string[] {
  const owner = 'textToWordSequence';
  checkOptionNames(owner, options, ['filters', 'lower', 'split']);
  return splitWords(checkString(owner, 'text', text), readWordSplitting(owner, options ?? {}));
}

function checkNumWords(owner: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number') throw new InputTypeError(`${owner}: numWords must be a number or null, got ${describeValue(value)}`);
  if (!Number.isInteger(value) || value < 1) {
    throw new ValueError(`${owner}: numWords must be an integer >= 1 or null, got ${describeValue(value)}`);
  }
  return value;
}

function checkOovToken(owner: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return checkString(owner, 'oovToken', value);
}

function checkTextList(owner: string, texts: unknown): ReadonlyArray<TokenizerText> {
  if (typeof texts === 'string') {
    // Python would iterate the string and take every character as a text: almost always a mistake.
    throw new InputTypeError(`${owner}: expected an array of texts, got a string; wrap a single text in an array: [text]`);
  }
  if (!Array.isArray(texts)) throw new InputTypeError(`${owner}: expected an array of texts, got ${describeValue(texts)}`);
  texts.forEach((text: unknown, i) => {
    if (typeof text === 'string') return;
    if (!Array.isArray(text)) {
      throw new InputTypeError(`${owner}: texts[${i}] must be a string or an array of words, got ${describeValue(text)}`);
    }
    text.forEach((word: unknown, j) => {
      if (typeof word !== 'string') throw new InputTypeError(`${owner}: texts[${i}][${j}] must be a string, got ${describeValue(word)}`);
    });
  });
  return texts as ReadonlyArray<TokenizerText>;
}

function checkSequenceList(owner: string, sequences: unknown): ReadonlyArray<readonly number[]> {
  if (!Array.isArray(sequences)) throw new InputTypeError(`${owner}: expected an array of id sequences, got ${describeValue(sequences)}`);
  sequences.forEach((seq: unknown, i) => {
    if (!Array.isArray(seq)) throw new InputTypeError(`${owner}: sequences[${i}] must be an array of ids, got ${describeValue(seq)}`);
    seq.forEach((id: unknown, j) => {
      if (typeof id !== 'number') throw new InputTypeError(`${owner}: sequences[${i}][${j}] must be a number, got ${describeValue(id)}`);
    });
  });
  return sequences as ReadonlyArray<readonly number[]>;
}

// ---- JSON in the format of Keras's Tokenizer.to_json (Python's json.dumps defaults) ----

/** A JSON value for pythonJson; a Map is a JSON object whose key order is kept. */
type PythonJsonValue = null | boolean | number | string | ReadonlyMap<string | number, PythonJsonValue>;

const JSON_NAMED_ESCAPES = new Map([
  ['"', '\\"'], ['\\', '\\\\'], ['\n', '\\n'], ['\r', '\\r'], ['\t', '\\t'], ['\b', '\\b'], ['\f', '\\f'],
]);

/** A string as json.dumps writes it: ensure_ascii, so every character outside ' '..'~' is \uXXXX. */
function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    const named = JSON_NAMED_ESCAPES.get(ch);
    if (named !== undefined) out += named;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/** json.dumps with its default separators (', ' and ': '), so Keras's own output is reproduced. */
function pythonJson(value: PythonJsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return pythonJsonString(value);
  const members = [...value].map(([key, v]) => `${pythonJsonString(String(key))}: ${pythonJson(v)}`);
  return `{${members.join(', ')}}`;
}

/**
 * Reads a JSON object of numbers or strings with its key order, as Python's json.loads keeps it
 * (JSON.parse would move integer-like keys first). A repeated key keeps its first place and last value.
 */
function parseOrderedObject(owner: string, name: string, text: unknown): Map<string, number | string> {
  checkString(owner, name, text);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text as string);
  } catch (err) {
    throw new ValueError(`${owner}: ${name} must hold a JSON object, got text that is not JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputTypeError(`${owner}: ${name} must hold a JSON object, got ${describeValue(parsed)}`);
  }
  const values = parsed as Record<string, unknown>;
  for (const [key, v] of Object.entries(values)) {
    if (typeof v !== 'number' && typeof v !== 'string') {
      throw new InputTypeError(`${owner}: ${name}[${JSON.stringify(key)}] must be a number or a string, got ${describeValue(v)}`);
    }
  }
  // The object is flat and valid, so its string literals read left to right are keys (followed by ':')
  // and string values; nothing between them holds a quote.
  const ordered = new Map<string, number | string>();
  for (const match of (text as string).matchAll(/"(?:[^"\\]|\\.)*"(\s*:)?/g)) {
    if (match[1] === undefined) continue;
    const key = JSON.parse(match[0].slice(0, match[0].length - match[1].length)) as string;
    if (!ordered.has(key)) ordered.set(key, values[key] as number | string);
  }
  return ordered;
}

function countsFrom(owner: string, name: string, text: unknown): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of parseOrderedObject(owner, name, text)) {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new InputTypeError(`${owner}: ${name}[${JSON.stringify(key)}] must be an integer, got ${describeValue(value)}`);
    }
    out.set(key, value);
  }
  return out;
}

/** Keys written from Python ints (json.dumps turns them into strings); Keras reads them back with int(). */
function integerKeysFrom<V>(owner: string, name: string, entries: Map<string, V>): Map<number, V> {
  const out = new Map<number, V>();
  for (const [key, value] of entries) {
    if (!/^\s*[-+]?\d+\s*$/.test(key)) throw new ValueError(`${owner}: ${name} keys must be integers, got ${JSON.stringify(key)}`);
    out.set(Number(key), value);
  }
  return out;
}

const CONFIG_KEYS = [
  'num_words', 'filters', 'lower', 'split', 'char_level', 'oov_token', 'document_count',
  'word_counts', 'word_docs', 'index_docs', 'index_word', 'word_index',
] as const;
const CONFIG_TABLES = ['word_counts', 'word_docs', 'index_docs', 'index_word', 'word_index'] as const;

// ---- the Tokenizer ----

interface RecordViews {
  wordIndex?: Readonly<Record<string, number>>;
  indexWord?: Readonly<Record<number, string>>;
  wordCounts?: Readonly<Record<string, number>>;
  wordDocs?: Readonly<Record<string, number>>;
}

/**
 * keras.preprocessing.text.Tokenizer: fitOnTexts counts words; ids are 1-based by count, most
 * frequent first (ties in first-seen order); 0 is never a word's id; the oovToken, if any, is id 1.
 */
export class Tokenizer {
  readonly numWords: number | null;
  readonly oovToken: string | null;
  private readonly splitting: WordSplitting;
  private readonly filters: string;
  private readonly charLevel: boolean;
  private counts = new Map<string, number>();
  private docs = new Map<string, number>();
  // Keras keeps index_docs (id -> number of documents) for texts_to_matrix; here only for toJson.
  private indexDocs = new Map<number, number>();
  private index = new Map<string, number>();
  private words = new Map<number, string>();
  private documents = 0;
  private views: RecordViews = {};

  constructor(options: TokenizerOptions = {}) {
    const owner = 'Tokenizer';
    checkOptionNames(owner, options, ['numWords', 'filters', 'lower', 'split', 'charLevel', 'oovToken']);
    const opts = options ?? {};
    this.splitting = readWordSplitting(owner, opts);
    this.filters = opts.filters ?? DEFAULT_FILTERS;
    this.numWords = checkNumWords(owner, opts.numWords);
    this.charLevel = checkFlag(owner, 'charLevel', opts.charLevel, false);
    this.oovToken = checkOovToken(owner, opts.oovToken);
  }

  /** Keras word_index: word -> id, ids 1.. by count (numWords does not shorten it). */
  get wordIndex(): Readonly<Record<string, number>> {
    return (this.views.wordIndex ??= Object.freeze(Object.fromEntries(this.index)));
  }

  /** Keras index_word: id -> word. */
  get indexWord(): Readonly<Record<number, string>> {
    return (this.views.indexWord ??= Object.freeze(Object.fromEntries(this.words)));
  }

  /** Keras word_counts: word -> occurrences in all fitted texts, in first-seen order. */
  get wordCounts(): Readonly<Record<string, number>> {
    return (this.views.wordCounts ??= Object.freeze(Object.fromEntries(this.counts)));
  }

  /** Keras word_docs: word -> number of fitted texts it occurs in. */
  get wordDocs(): Readonly<Record<string, number>> {
    return (this.views.wordDocs ??= Object.freeze(Object.fromEntries(this.docs)));
  }

  /** How many texts have been fitted. */
  get documentCount(): number {
    return this.documents;
  }

  /** Counts the words of `texts` (added to earlier calls) and renumbers the vocabulary. */
  fitOnTexts(texts: ReadonlyArray<TokenizerText>): void {
    // Every text is checked before any is counted, so a bad one leaves the tokenizer as it was.
    const tokenized = checkTextList('fitOnTexts', texts).map((text) => this.tokens(text));
    for (const tokens of tokenized) {
      this.documents++;
      for (const token of tokens) this.counts.set(token, (this.counts.get(token) ?? 0) + 1);
      for (const token of new Set(tokens)) this.docs.set(token, (this.docs.get(token) ?? 0) + 1);
    }
    this.renumber();
  }

  /** Each text as word ids: unknown words (and ids >= numWords) dropped, or the oov id if oovToken is set. */
  textsToSequences(texts: ReadonlyArray<TokenizerText>): number[][] {
    const owner = 'textsToSequences';
    const tokenized = checkTextList(owner, texts).map((text) => this.tokens(text));
    const oovIndex = this.oovToken === null ? undefined : this.index.get(this.oovToken);
    return tokenized.map((tokens) => {
      const ids: number[] = [];
      for (const token of tokens) {
        const id = this.index.get(token);
        if (id === undefined) {
          if (this.oovToken !== null) ids.push(this.requireOovIndex(owner, oovIndex));
        } else if (this.numWords !== null && id >= this.numWords) {
          if (oovIndex !== undefined) ids.push(oovIndex);
        } else {
          ids.push(id);
        }
      }
      return ids;
    });
  }

  /** Each id sequence as its words joined by single spaces (whatever `split` is), as Keras does. */
  sequencesToTexts(sequences: ReadonlyArray<readonly number[]>): string[] {
    const owner = 'sequencesToTexts';
    const checked = checkSequenceList(owner, sequences);
    const oovIndex = this.oovToken === null ? undefined : this.index.get(this.oovToken);
    const oovWord = (): string => {
      const word = this.words.get(this.requireOovIndex(owner, oovIndex));
      if (word === undefined) throw new StateError(`${owner}: the oov token's id ${oovIndex} has no word in indexWord`);
      return word;
    };
    return checked.map((seq) => {
      const words: string[] = [];
      for (const id of seq) {
        const word = this.words.get(id);
        if (word === undefined) {
          if (this.oovToken !== null) words.push(oovWord());
        } else if (this.numWords !== null && id >= this.numWords) {
          if (oovIndex !== undefined) words.push(oovWord());
        } else {
          words.push(word);
        }
      }
      return words.join(' ');
    });
  }

  /** The tokenizer as Keras's Tokenizer.to_json writes it (tables are JSON strings inside the config). */
  toJson(): string {
    const config = new Map<string, PythonJsonValue>([
      ['num_words', this.numWords],
      ['filters', this.filters],
      ['lower', this.splitting.lower],
      ['split', this.splitting.split],
      ['char_level', this.charLevel],
      ['oov_token', this.oovToken],
      ['document_count', this.documents],
      ['word_counts', pythonJson(this.counts)],
      ['word_docs', pythonJson(this.docs)],
      ['index_docs', pythonJson(this.indexDocs)],
      ['index_word', pythonJson(this.words)],
      ['word_index', pythonJson(this.index)],
    ]);
    return pythonJson(new Map<string, PythonJsonValue>([['class_name', 'Tokenizer'], ['config', config]]));
  }

  /** A tokenizer from Keras's to_json output (keras.preprocessing.text.tokenizer_from_json). */
  static fromJson(json: string): Tokenizer {
    const owner = 'Tokenizer.fromJson';
    checkString(owner, 'json', json);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw new ValueError(`${owner}: expected the JSON text of Tokenizer.toJson(), got text that is not JSON (${(err as Error).message})`);
    }
    const config = (parsed as { config?: unknown } | null)?.config;
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw new ValueError(`${owner}: expected an object with a "config" object, got ${describeValue(config ?? parsed)}`);
    }
    checkOptionNames(owner, config, CONFIG_KEYS);
    const c = config as Partial<Record<(typeof CONFIG_KEYS)[number], unknown>>;
    for (const table of CONFIG_TABLES) {
      if (c[table] === undefined) throw new ValueError(`${owner}: the config has no "${table}"; expected ${CONFIG_TABLES.join(', ')}`);
    }
    const tokenizer = new Tokenizer({
      numWords: c.num_words as number | null | undefined,
      filters: c.filters as string | undefined,
      lower: c.lower as boolean | undefined,
      split: c.split as string | undefined,
      charLevel: c.char_level as boolean | undefined,
      oovToken: c.oov_token as string | null | undefined,
    });
    const documents = c.document_count ?? 0;
    if (typeof documents !== 'number' || !Number.isInteger(documents) || documents < 0) {
      throw new ValueError(`${owner}: document_count must be an integer >= 0, got ${describeValue(documents)}`);
    }
    tokenizer.documents = documents;
    tokenizer.counts = countsFrom(owner, 'word_counts', c.word_counts);
    tokenizer.docs = countsFrom(owner, 'word_docs', c.word_docs);
    tokenizer.indexDocs = integerKeysFrom(owner, 'index_docs', countsFrom(owner, 'index_docs', c.index_docs));
    tokenizer.index = countsFrom(owner, 'word_index', c.word_index);
    const words = integerKeysFrom(owner, 'index_word', parseOrderedObject(owner, 'index_word', c.index_word));
    for (const [id, word] of words) {
      if (typeof word !== 'string') throw new InputTypeError(`${owner}: index_word[${id}] must be a string, got ${describeValue(word)}`);
    }
    tokenizer.words = words as Map<number, string>;
    return tokenizer;
  }

  /** The tokens of one text: a list of words lowercased only; a string split (or cut into characters). */
  private tokens(text: TokenizerText): string[] {
    const lower = this.splitting.lower;
    if (typeof text !== 'string') return text.map((word) => (lower ? word.toLowerCase() : word));
    // charLevel: every code point is a token, punctuation and spaces included (no filters).
    if (this.charLevel) return Array.from(lower ? text.toLowerCase() : text);
    return splitWords(text, this.splitting);
  }

  private renumber(): void {
    // Array sort is stable, like Python's: equal counts keep first-seen order.
    const ranked = [...this.counts].sort((a, b) => b[1] - a[1]);
    const vocabulary = this.oovToken === null ? [] : [this.oovToken];
    for (const [word] of ranked) vocabulary.push(word);
    // As Python's dict(zip(...)): a word met twice (the oov token also found in a text) keeps its
    // first place but takes its later id, and the id it had first is left without a word.
    this.index = new Map();
    vocabulary.forEach((word, i) => this.index.set(word, i + 1));
    this.words = new Map([...this.index].map(([word, id]) => [id, word]));
    for (const [word, docs] of this.docs) this.indexDocs.set(this.index.get(word) as number, docs);
    this.views = {};
  }

  private requireOovIndex(owner: string, oovIndex: number | undefined): number {
    if (oovIndex !== undefined) return oovIndex;
    // Keras would put None in the sequence here.
    throw new StateError(`${owner}: the oov token ${JSON.stringify(this.oovToken)} has no id yet; call fitOnTexts first`);
  }
}
