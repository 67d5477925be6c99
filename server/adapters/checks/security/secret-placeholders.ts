/**
 * Telling a committed credential from the placeholder that documentation, templates and tests put
 * in its place (`ghp_xxxx…`, `AKIAIOSFODNN7EXAMPLE`, `${NPM_TOKEN}`). Every answer names a reason
 * and never quotes the value, so the reason may be logged.
 */

/** The random part of a candidate secret and the alphabet a provider draws it from. */
export type SecretShape = {
  /** the part a provider generates at random: prefixes, markers and ids removed */
  body: string;
  /** how many different characters a real body is drawn from (16 hex, 36 upper-alnum, 62 alnum, 64 base64) */
  alphabet: number;
  /** false for long binary encodings (DER in base64), where runs like `AAAAAAAA` are part of the format */
  checkRuns?: boolean;
};

/** AWS's documented example credentials, which fill tutorials, SDK tests and templates. */
const AWS_DOCUMENTED_EXAMPLES = new Set([
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "AKIAI44QH8DHBEXAMPLE",
  "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
]);

/**
 * Words people type where a secret goes. Matched in lower, UPPER and Capitalised form only, so a
 * random key that happens to spell `fAkE` is not dropped (about 1 in 10^5 keys would be otherwise).
 */
const PLACEHOLDER_WORDS = [
  "example",
  "sample",
  "placeholder",
  "dummy",
  "your_",
  "your-",
  "yourkey",
  "yourtoken",
  "yoursecret",
  "replace",
  "changeme",
  "change_me",
  "randomstring",
  "redacted",
  "notasecret",
  "foobar",
];
const WORD_FORMS = PLACEHOLDER_WORDS.flatMap((w) => [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)]);
/**
 * Four-letter words turn up in random keys (`FAKE` in 1 of 50,000 random 40-character keys), so
 * they count only between non-letters: `fake_token`, `FAKE-KEY-1`.
 */
const SHORT_WORD = /(?<![A-Za-z])(?:fake|FAKE|Fake)(?![A-Za-z])/;

/** Template and variable syntax: the value is filled in at deploy time, not committed. */
const TEMPLATE = /<[^<>\n]{0,80}>|\$\{|\{\{|\$\(|%\(|^\$[A-Za-z_]|process\.env|\*{3}|…/;
/** Six of one character in a row (`xxxxxx`, `ZZZZZZ`): about 1 in 10^7 random 40-character keys. */
const SAME_RUN = /(.)\1{5}/;
/** In hex six in a row is 1 random key in 20,000; eight is 1 in 10^7. */
const SAME_RUN_HEX = /(.)\1{7}/;
/** A unit of 2 to 8 characters four times over (`abababab`, `abcd1234abcd1234…`). */
const REPEATED_UNIT = /(.{2,8})\1{3}/;
/** Ascending or descending runs this long (`abcdefgh`, `12345678`) do not come out of a random generator. */
const SEQUENCE_LENGTH = 8;
/**
 * A random body scores close to log2 of its alphabet (or of its length, when shorter); placeholders
 * typed by hand score far less. 0.65 of that ceiling (0.5 under 24 characters, where random
 * bodies vary more) kept every one of 10^5 simulated random bodies per rule's alphabet and length
 * (lowest margin 0.2 bits, 32 hex characters), while `abcd1234abcd…` and `aaaabbbb…` fall under.
 */
const ENTROPY_FRACTION = 0.65;
const SHORT_ENTROPY_FRACTION = 0.5;
const SHORT_BODY = 24;
/**
 * Longer matches (a private key's armor and body) are judged by structure and entropy alone: in
 * 1,600 random base64 characters some placeholder word turns up in about one key in 2,000, and
 * armor comments (`Comment: alice <alice@example.com>`) would read as templates.
 */
const MAX_WORD_SCAN = 200;
/** Below this many characters entropy says little; the other tests still apply. */
const MIN_ENTROPY_LENGTH = 12;

/** Shannon entropy of the string, in bits per character. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Least entropy a real body of this length and alphabet has, in bits per character. */
export function minEntropy(length: number, alphabet: number): number {
  const fraction = length < SHORT_BODY ? SHORT_ENTROPY_FRACTION : ENTROPY_FRACTION;
  return fraction * Math.log2(Math.max(2, Math.min(length, alphabet)));
}

/**
 * Why the candidate is a placeholder rather than a secret, or null when it looks real.
 * `whole` is the full match (prefix included) and is searched for words and templates; `shape`
 * says what of it must look random.
 */
export function placeholderReason(whole: string, shape: SecretShape): string | null {
  if (AWS_DOCUMENTED_EXAMPLES.has(whole) || AWS_DOCUMENTED_EXAMPLES.has(shape.body)) return "AWS documented example key";
  const searched = whole.length <= MAX_WORD_SCAN ? whole : "";
  if (TEMPLATE.test(searched)) return "template or variable reference";
  const word = WORD_FORMS.find((w) => searched.includes(w));
  if (word !== undefined) return `placeholder word ${word.toUpperCase().replace(/[-_]$/, "_…")}`;
  if (SHORT_WORD.test(searched)) return "placeholder word FAKE";
  const { body } = shape;
  if (shape.checkRuns !== false) {
    if ((shape.alphabet <= 16 ? SAME_RUN_HEX : SAME_RUN).test(body)) return "one character repeated";
    if (REPEATED_UNIT.test(body)) return "repeating pattern";
    if (hasSequence(body)) return "alphabet or digit sequence";
  }
  if (body.length >= MIN_ENTROPY_LENGTH) {
    const floor = minEntropy(body.length, shape.alphabet);
    const bits = shannonEntropy(body);
    if (bits < floor) return `low entropy (${bits.toFixed(2)} < ${floor.toFixed(2)} bits per character)`;
  }
  return null;
}

function hasSequence(body: string): boolean {
  let up = 1;
  let down = 1;
  for (let i = 1; i < body.length; i++) {
    const step = body.charCodeAt(i) - body.charCodeAt(i - 1);
    up = step === 1 ? up + 1 : 1;
    down = step === -1 ? down + 1 : 1;
    if (up >= SEQUENCE_LENGTH || down >= SEQUENCE_LENGTH) return true;
  }
  return false;
}
