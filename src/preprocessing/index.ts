// Text preprocessing as Keras's legacy keras.preprocessing: Tokenizer, textToWordSequence, padSequences.
export { DEFAULT_FILTERS, Tokenizer, textToWordSequence } from './tokenizer';
export type { TextToWordSequenceOptions, TokenizerOptions, TokenizerText } from './tokenizer';
export { padSequences } from './pad-sequences';
export type { PadSequencesOptions } from './pad-sequences';
