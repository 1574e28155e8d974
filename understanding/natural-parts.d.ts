// natural's index modules load every language's tokenizers and stemmers (~80 files, 13 MB, 30 ms at start); the two
// classes used are required from their own files, typed by what natural declares for them.
declare module 'natural/lib/natural/tokenizers/regexp_tokenizer' {
  export { WordTokenizer } from 'natural/lib/natural/tokenizers';
}
declare module 'natural/lib/natural/stemmers/porter_stemmer' {
  import type { Stemmer } from 'natural/lib/natural/stemmers';
  const PorterStemmer: Stemmer;
  export = PorterStemmer;
}
