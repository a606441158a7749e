// Tokenizer and textToWordSequence follow Keras's legacy keras.preprocessing.text
// (keras/src/legacy/preprocessing/text.py). Every expected value is worked out by hand from that
// algorithm: count words, sort by count (stable, so ties keep first-seen order), ids from 1.
import { InputTypeError, StateError, ValueError } from '../../src/errors';
import { Tokenizer, textToWordSequence } from '../../src/preprocessing';
import { expectError } from '../helpers/errors';

// Keras's default filters, written out here rather than imported from the code under test.
const KERAS_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

describe('textToWordSequence', () => {
  test('lowercases, turns punctuation into spaces, splits on spaces and drops the empty strings', () => {
    expect(textToWordSequence('  Hello, World!  The END.')).toEqual(['hello', 'world', 'the', 'end']);
  });

  test("keeps the apostrophe and '\\r', which are not among Keras's default filters", () => {
    // '.' and '\n' become spaces: "don't stop \r go"
    expect(textToWordSequence("Don't stop.\r\nGo")).toEqual(["don't", 'stop', '\r', 'go']);
  });

  test('replaces the filter characters with the split string, then splits on it', () => {
    // ';' and ',' are both filters, so 'a;b,c' becomes 'a,b,c' before splitting on ','.
    expect(textToWordSequence('a;b,c d', { split: ',' })).toEqual(['a', 'b', 'c d']);
  });

  test('a split of several characters is one separator', () => {
    expect(textToWordSequence('a.b----c', { split: '--' })).toEqual(['a', 'b', 'c']);
  });

  test('lower: false keeps the case and custom filters replace the default ones', () => {
    expect(textToWordSequence('Big-Cat, Small', { lower: false, filters: '-' })).toEqual(['Big', 'Cat,', 'Small']);
  });

  test('filters apply after lowercasing, so an upper-case filter character catches nothing', () => {
    expect(textToWordSequence('AxA', { filters: 'A' })).toEqual(['axa']);
  });

  test('Korean words split on spaces, punctuation removed, Hangul unchanged by lowercasing', () => {
    expect(textToWordSequence('안녕하세요, 세계! Hello 한글')).toEqual(['안녕하세요', '세계', 'hello', '한글']);
  });

  test('an empty split is a ValueError (Python: empty separator)', () => {
    expectError(() => textToWordSequence('a b', { split: '' }), ValueError, 'split', 'non-empty');
  });

  test('a text that is not a string is an InputTypeError', () => {
    expectError(() => textToWordSequence(42 as unknown as string), InputTypeError, 'text must be a string', 'number 42');
  });

  test('an unknown option is a ValueError listing the known ones', () => {
    expectError(() => textToWordSequence('a', { lowercase: true } as never), ValueError, "unknown option 'lowercase'", 'filters, lower, split');
  });
});

describe('Tokenizer vocabulary', () => {
  test('ids go by count, most frequent first, ties in first-seen order', () => {
    // counts in first-seen order: b 1, a 2, c 2, d 1 -> sorted: a, c, b, d
    const t = new Tokenizer();
    t.fitOnTexts(['b a c a', 'c d']);
    expect(t.wordIndex).toEqual({ a: 1, c: 2, b: 3, d: 4 });
    expect(Object.keys(t.wordCounts)).toEqual(['b', 'a', 'c', 'd']);
    expect(t.wordCounts).toEqual({ b: 1, a: 2, c: 2, d: 1 });
  });

  test('indexWord maps each id back to its word', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['b a a']);
    expect(t.indexWord).toEqual({ 1: 'a', 2: 'b' });
  });

  test('wordDocs counts the texts a word occurs in, not its occurrences', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['a a b', 'a', 'c']);
    expect(t.wordDocs).toEqual({ a: 2, b: 1, c: 1 });
    expect(t.wordCounts.a).toBe(3);
    expect(t.documentCount).toBe(3);
  });

  test('fitOnTexts called again adds to the counts and renumbers', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['a b']);
    expect(t.wordIndex).toEqual({ a: 1, b: 2 });
    t.fitOnTexts(['b']);
    expect(t.wordCounts).toEqual({ a: 1, b: 2 });
    expect(t.wordIndex).toEqual({ b: 1, a: 2 });
    expect(t.documentCount).toBe(2);
  });

  test('the oov token takes id 1 and shifts every word by one', () => {
    const t = new Tokenizer({ oovToken: '<OOV>' });
    t.fitOnTexts(['b a a']);
    expect(t.wordIndex).toEqual({ '<OOV>': 1, a: 2, b: 3 });
    expect(t.indexWord).toEqual({ 1: '<OOV>', 2: 'a', 3: 'b' });
  });

  test('with an oov token and no texts the vocabulary is the oov token alone', () => {
    const t = new Tokenizer({ oovToken: 'UNK' });
    t.fitOnTexts([]);
    expect(t.wordIndex).toEqual({ UNK: 1 });
    expect(t.documentCount).toBe(0);
  });

  test('numWords does not shorten wordIndex', () => {
    const t = new Tokenizer({ numWords: 2 });
    t.fitOnTexts(['a a b c']);
    expect(t.wordIndex).toEqual({ a: 1, b: 2, c: 3 });
  });

  test('words that look like numbers keep their first-seen order among ties', () => {
    // A plain JS object would put '1' and '2024' first; Keras's OrderedDict keeps x, 2024, 1.
    const t = new Tokenizer();
    t.fitOnTexts(['x 2024 1']);
    expect(t.textsToSequences(['1 2024 x'])).toEqual([[3, 2, 1]]);
    expect(t.wordIndex['2024']).toBe(2);
  });

  test('words named like Object properties are ordinary words', () => {
    const t = new Tokenizer({ lower: false });
    t.fitOnTexts([['constructor', 'toString', '__proto__', 'constructor']]);
    expect(t.wordIndex.constructor).toBe(1);
    expect(t.wordIndex.toString).toBe(2);
    expect(Object.getOwnPropertyDescriptor(t.wordIndex, '__proto__')?.value).toBe(3);
    expect(t.textsToSequences([['__proto__', 'toString', 'hasOwnProperty']])).toEqual([[3, 2]]);
  });

  test('lower: false keeps differently cased words apart', () => {
    const t = new Tokenizer({ lower: false });
    t.fitOnTexts(['A a a']);
    expect(t.wordIndex).toEqual({ a: 1, A: 2 });
  });

  test('a text given as a list of words is lowercased but neither filtered nor split', () => {
    const t = new Tokenizer();
    t.fitOnTexts([['Hello', 'World,', 'two words']]);
    expect(t.wordIndex).toEqual({ hello: 1, 'world,': 2, 'two words': 3 });
  });

  test('charLevel: every character is a token, punctuation and spaces included', () => {
    // 'ab, a' -> a b , ' ' a: counts a 2, b 1, ',' 1, ' ' 1
    const t = new Tokenizer({ charLevel: true });
    t.fitOnTexts(['Ab, a']);
    expect(t.wordIndex).toEqual({ a: 1, b: 2, ',': 3, ' ': 4 });
    expect(t.textsToSequences(['BA!'])).toEqual([[2, 1]]);
  });

  test('the returned tables are frozen views: writing to them throws', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['a']);
    expect(() => {
      (t.wordIndex as Record<string, number>).b = 2;
    }).toThrow(TypeError);
  });
});

describe('Tokenizer.textsToSequences', () => {
  test('turns each text into the ids of its words', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['the cat sat on the mat', 'the dog sat']);
    // the 3, sat 2, then cat on mat dog in first-seen order
    expect(t.textsToSequences(['The dog sat on the mat!'])).toEqual([[1, 6, 2, 4, 1, 5]]);
  });

  test('without an oov token, unknown words are dropped', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['a a b']);
    expect(t.textsToSequences(['a z b', 'zz'])).toEqual([[1, 2], []]);
  });

  test('with an oov token, unknown words become id 1', () => {
    const t = new Tokenizer({ oovToken: '<OOV>' });
    t.fitOnTexts(['b a a']);
    expect(t.textsToSequences(['a z b'])).toEqual([[2, 1, 3]]);
  });

  test('numWords drops the words whose id is numWords or more', () => {
    // a 1, b 2, c 3; numWords 3 keeps ids 1 and 2
    const t = new Tokenizer({ numWords: 3 });
    t.fitOnTexts(['a a a b b c']);
    expect(t.textsToSequences(['c b a'])).toEqual([[2, 1]]);
  });

  test('numWords with an oov token turns the cut-off and unknown words into the oov id', () => {
    // <OOV> 1, a 2, b 3, c 4; numWords 3 keeps ids 1 and 2
    const t = new Tokenizer({ numWords: 3, oovToken: '<OOV>' });
    t.fitOnTexts(['a a a b b c']);
    expect(t.textsToSequences(['c b a z'])).toEqual([[1, 1, 2, 1]]);
  });

  test('the oov id is kept even when numWords is 1', () => {
    const t = new Tokenizer({ numWords: 1, oovToken: '?' });
    t.fitOnTexts(['a b']);
    expect(t.textsToSequences(['a z'])).toEqual([[1, 1]]);
  });

  test('before any fit every word is unknown and dropped', () => {
    expect(new Tokenizer().textsToSequences(['a b'])).toEqual([[]]);
  });

  test('with an oov token, an unknown word before any fit is a StateError (Keras would yield None)', () => {
    expectError(() => new Tokenizer({ oovToken: '<OOV>' }).textsToSequences(['a']), StateError, '<OOV>', 'fitOnTexts');
  });

  test('Korean texts: words split on spaces and counted like any others', () => {
    // 나는 2, then 학교에 간다 밥을 먹는다 in first-seen order
    const t = new Tokenizer();
    t.fitOnTexts(['나는 학교에 간다.', '나는 밥을 먹는다!']);
    expect(t.wordIndex).toEqual({ 나는: 1, 학교에: 2, 간다: 3, 밥을: 4, 먹는다: 5 });
    expect(t.textsToSequences(['나는 밥을 먹는다', '학교에 간다?'])).toEqual([[1, 4, 5], [2, 3]]);
  });

  test('lowercasing leaves Hangul unchanged and lowercases the Latin words beside it', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['Keras 한글 KERAS']);
    expect(t.wordIndex).toEqual({ keras: 1, 한글: 2 });
  });
});

describe('Tokenizer.sequencesToTexts', () => {
  test('joins the words of the known ids with single spaces, dropping unknown ids and 0', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['a a b']);
    expect(t.sequencesToTexts([[1, 2, 9, 0, 1], []])).toEqual(['a b a', '']);
  });

  test('joins with a space whatever the split string is', () => {
    const t = new Tokenizer({ split: ',' });
    t.fitOnTexts(['x,y']);
    expect(t.sequencesToTexts([[1, 2]])).toEqual(['x y']);
  });

  test('with an oov token, unknown ids and ids >= numWords become the oov token', () => {
    // OOV 1, a 2, b 3; numWords 3 keeps ids 1 and 2
    const t = new Tokenizer({ oovToken: 'OOV', numWords: 3 });
    t.fitOnTexts(['a a b']);
    expect(t.sequencesToTexts([[2, 3, 9]])).toEqual(['a OOV OOV']);
  });

  test('without an oov token, ids >= numWords are dropped', () => {
    const t = new Tokenizer({ numWords: 2 });
    t.fitOnTexts(['a a b']);
    expect(t.sequencesToTexts([[1, 2, 1]])).toEqual(['a a']);
  });

  test('a sequence holding something other than numbers is an InputTypeError', () => {
    const t = new Tokenizer();
    expectError(() => t.sequencesToTexts([[1, 'a' as unknown as number]]), InputTypeError, 'sequences[0][1]', 'the string "a"');
  });
});

describe('Tokenizer JSON (Keras tokenizer.to_json / tokenizer_from_json)', () => {
  test('toJson writes what Keras writes: tables as JSON strings, json.dumps separators', () => {
    const t = new Tokenizer({ oovToken: '<UNK>' });
    t.fitOnTexts(['b a a']);
    // Python json.dumps of Keras's get_config for this tokenizer (word_docs in first-seen order).
    const expected =
      String.raw`{"class_name": "Tokenizer", "config": {"num_words": null, "filters": "!\"#$%&()*+,-./:;<=>?@[\\]^_` +
      '`' +
      String.raw`{|}~\t\n", "lower": true, "split": " ", "char_level": false, "oov_token": "<UNK>", "document_count": 1, ` +
      String.raw`"word_counts": "{\"b\": 1, \"a\": 2}", "word_docs": "{\"b\": 1, \"a\": 1}", ` +
      String.raw`"index_docs": "{\"3\": 1, \"2\": 1}", "index_word": "{\"1\": \"<UNK>\", \"2\": \"a\", \"3\": \"b\"}", ` +
      String.raw`"word_index": "{\"<UNK>\": 1, \"a\": 2, \"b\": 3}"}}`;
    expect(t.toJson()).toBe(expected);
  });

  test('toJson escapes non-ASCII characters as \\uXXXX, as json.dumps does by default', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['한국']);
    const config = JSON.parse(t.toJson()).config;
    expect(config.word_counts).toBe('{"\\ud55c\\uad6d": 1}');
  });

  // As Keras writes it for Tokenizer(num_words=3, oov_token='<OOV>').fit_on_texts(['한국 2024 2024', '한국 x']):
  // counts 한국 2, 2024 2, x 1; word_docs in whatever order Python's set gave.
  const kerasJson = JSON.stringify({
    class_name: 'Tokenizer',
    config: {
      num_words: 3,
      filters: KERAS_FILTERS,
      lower: true,
      split: ' ',
      char_level: false,
      oov_token: '<OOV>',
      document_count: 2,
      word_counts: '{"\\ud55c\\uad6d": 2, "2024": 2, "x": 1}',
      word_docs: '{"x": 1, "\\ud55c\\uad6d": 2, "2024": 1}',
      index_docs: '{"4": 1, "2": 2, "3": 1}',
      index_word: '{"1": "<OOV>", "2": "\\ud55c\\uad6d", "3": "2024", "4": "x"}',
      word_index: '{"<OOV>": 1, "\\ud55c\\uad6d": 2, "2024": 3, "x": 4}',
    },
  });

  test('fromJson reads the tables and settings Keras wrote', () => {
    const t = Tokenizer.fromJson(kerasJson);
    expect(t.wordIndex).toEqual({ '<OOV>': 1, 한국: 2, '2024': 3, x: 4 });
    expect(t.indexWord).toEqual({ 1: '<OOV>', 2: '한국', 3: '2024', 4: 'x' });
    expect(t.wordDocs).toEqual({ x: 1, 한국: 2, '2024': 1 });
    expect(t.documentCount).toBe(2);
    expect(t.numWords).toBe(3);
    expect(t.oovToken).toBe('<OOV>');
    // x 4 and 2024 3 are cut off by numWords 3, 'new' is unknown
    expect(t.textsToSequences(['x 한국 2024 new'])).toEqual([[1, 2, 1, 1]]);
  });

  test("fromJson keeps word_counts' order, so a later fit breaks ties as Keras would", () => {
    // After one more 'x' all three words count 2: ties keep 한국, 2024, x.
    const t = Tokenizer.fromJson(kerasJson);
    t.fitOnTexts(['x']);
    expect(t.wordIndex).toEqual({ '<OOV>': 1, 한국: 2, '2024': 3, x: 4 });
    expect(t.wordCounts).toEqual({ 한국: 2, '2024': 2, x: 2 });
    expect(t.documentCount).toBe(3);
  });

  test('fromJson(toJson()) gives a tokenizer that writes the same JSON and maps texts the same', () => {
    const t = new Tokenizer({ numWords: 4, oovToken: '#', split: '/', filters: '.', lower: false });
    t.fitOnTexts(['B/a/a.c', ['d', 'B']]);
    // '.' becomes '/': B a a c, then d B -> B 2, a 2, c 1, d 1 -> # 1, B 2, a 3, c 4, d 5
    const copy = Tokenizer.fromJson(t.toJson());
    expect(copy.toJson()).toBe(t.toJson());
    expect(copy.textsToSequences(['a/B/c/zz'])).toEqual([[3, 2, 1, 1]]);
  });

  test('fromJson rejects an unknown config key with a ValueError listing the known ones', () => {
    const json = JSON.stringify({ config: { ...JSON.parse(kerasJson).config, analyser: null } });
    expectError(() => Tokenizer.fromJson(json), ValueError, "unknown option 'analyser'", 'word_index');
  });

  test('fromJson rejects text that is not JSON with a ValueError', () => {
    expectError(() => Tokenizer.fromJson('{"config": '), ValueError, 'not JSON');
  });

  test('fromJson rejects a config without its tables with a ValueError naming the missing one', () => {
    const { word_docs: _dropped, ...config } = JSON.parse(kerasJson).config;
    expectError(() => Tokenizer.fromJson(JSON.stringify({ config })), ValueError, 'no "word_docs"');
  });
});

describe('Tokenizer bad input', () => {
  test('a single string instead of an array of texts is an InputTypeError', () => {
    expectError(() => new Tokenizer().fitOnTexts('a b' as unknown as string[]), InputTypeError, 'array of texts', 'got a string');
  });

  test('a text that is neither a string nor a list of words is an InputTypeError naming its place', () => {
    expectError(() => new Tokenizer().fitOnTexts(['a', 7] as unknown as string[]), InputTypeError, 'texts[1]', 'number 7');
  });

  test('a bad text leaves the tokenizer unchanged', () => {
    const t = new Tokenizer();
    expect(() => t.fitOnTexts(['a', [1]] as unknown as string[])).toThrow(InputTypeError);
    expect(t.documentCount).toBe(0);
    expect(t.wordCounts).toEqual({});
  });

  test.each([0, -3, 2.5])('numWords %p is a ValueError', (numWords) => {
    expectError(() => new Tokenizer({ numWords }), ValueError, 'numWords must be an integer >= 1', String(numWords));
  });

  test('numWords that is not a number is an InputTypeError', () => {
    expectError(() => new Tokenizer({ numWords: '10' as unknown as number }), InputTypeError, 'numWords', 'the string "10"');
  });

  test('an unknown option is a ValueError suggesting the known name', () => {
    expectError(() => new Tokenizer({ num_words: 10 } as never), ValueError, "unknown option 'num_words'", "did you mean 'numWords'");
  });

  test('an oovToken that is not a string is an InputTypeError', () => {
    expectError(() => new Tokenizer({ oovToken: 1 as unknown as string }), InputTypeError, 'oovToken must be a string');
  });

  test('an empty split is a ValueError', () => {
    expectError(() => new Tokenizer({ split: '' }), ValueError, 'split must be a non-empty string');
  });

  test('charLevel that is not a boolean is an InputTypeError', () => {
    expectError(() => new Tokenizer({ charLevel: 'yes' as unknown as boolean }), InputTypeError, 'charLevel must be true or false');
  });
});
