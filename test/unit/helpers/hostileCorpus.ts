/*
 * A deterministic generator of broken, hostile and huge RNN documents, for the hostile corpus
 * tests (reader, CLI). Every case is plain text plus what we know about it: whether it must be
 * refused, and where relevant the diagnostic code and the exact text its span must cover.
 * Layer: test (pure; no Node imports, so the integration tests could use it too).
 *
 * Nothing here is random at run time: a fixed mulberry32 stream makes the "binary garbage"
 * and the mutations, so the corpus is the same on every machine.
 */

/** One document of the corpus. */
export interface HostileCase {
  /** Category/short-name, unique. */
  name: string;
  text: string;
  /** 'error': the reader must refuse it (no document, at least one error). 'any': a correct result or diagnostics. */
  expect: 'error' | 'any';
  /** A diagnostic with this code must be among the diagnostics. */
  code?: string;
  /** ...and the text at that diagnostic's span must equal this. */
  at?: string;
}

/**
 * What a learner must never see in a message, unless the document itself says it: internal
 * words, stack frames, JavaScript's renderings of missing values, and raw control or
 * direction-changing characters (which garble a terminal or reorder the Problems panel).
 */
export function messageProblems(message: string, text: string): string[] {
  const problems: string[] = [];
  for (const word of ['undefined', '[object Object]', 'NaN', 'TypeError', 'RangeError', 'ReferenceError', 'SyntaxError', 'Maximum call stack', 'internal error']) {
    const written = word === 'NaN' ? text.toLowerCase().includes('nan') : text.includes(word);
    if (message.includes(word) && !written) problems.push(`says "${word}"`);
  }
  if (/^\s+at .+(:\d+:\d+\)?|\(native\))$/m.test(message)) problems.push('has a stack frame');
  if (/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/.test(message)) {
    problems.push(`has a raw control/direction character (${JSON.stringify(message)})`);
  }
  if (message.trim() === '') problems.push('is empty');
  return problems;
}

/** Small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid small document: RNN, batched input (2, 1, 2). Used for truncation. */
export const SMALL_VALID = '{"model": {"type": "RNN", "input_size": 2, "hidden_size": 3, "nonlinearity": "relu"}, "seed": 1, "input": [[[0.5, -1]], [[2, 0.25]]], "h0": [[[0, 0, 0]]]}';

/** Nested array of shape `shape` filled with small deterministic numbers, as compact JSON. */
export function filled(shape: readonly number[], start = 0): string {
  let k = start;
  const build = (d: number): string => {
    if (d === shape.length) {
      k++;
      return String(((k * 37) % 19 - 9) / 100);
    }
    const parts: string[] = [];
    for (let i = 0; i < shape[d]; i++) parts.push(build(d + 1));
    return `[${parts.join(',')}]`;
  };
  return shape.length === 0 ? build(0) : build(0);
}

/** The parameters of nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2), PyTorch's names and shapes. */
export const LSTM_PROJ_PARAMS: [string, number[]][] = (() => {
  const out: [string, number[]][] = [];
  for (const layer of [0, 1]) {
    for (const sfx of ['', '_reverse']) {
      const inSize = layer === 0 ? 3 : 4; // num_directions * proj_size for layer 1
      out.push([`weight_ih_l${layer}${sfx}`, [16, inSize]]);
      out.push([`weight_hh_l${layer}${sfx}`, [16, 2]]);
      out.push([`bias_ih_l${layer}${sfx}`, [16]]);
      out.push([`bias_hh_l${layer}${sfx}`, [16]]);
      out.push([`weight_hr_l${layer}${sfx}`, [2, 4]]);
    }
  }
  return out;
})();

const LSTM_PROJ_MODEL = '{"type": "LSTM", "input_size": 3, "hidden_size": 4, "num_layers": 2, "bidirectional": true, "proj_size": 2}';

/** A 2-layer bidirectional LSTM with proj whose state_dict entries are the given (name, value text) pairs. */
export function lstmProjDoc(entries: [string, string][]): string {
  const sd = entries.map(([k, v]) => `\n    ${JSON.stringify(k)}: ${v}`).join(',');
  return `{\n  "model": ${LSTM_PROJ_MODEL},\n  "state_dict": {${sd}\n  },\n  "input": ${filled([2, 1, 3])}\n}`;
}

function modelDoc(modelBody: string, rest = ', "input": [[[0.1, 0.2]]]'): string {
  return `{"model": {${modelBody}}${rest}}`;
}

const BASE_MODEL: [string, string][] = [
  ['type', '"GRU"'],
  ['input_size', '2'],
  ['hidden_size', '3'],
  ['num_layers', '1'],
  ['bias', 'true'],
  ['batch_first', 'false'],
  ['dropout', '0'],
  ['bidirectional', 'false'],
];

function modelWith(key: string, value: string, type = 'GRU'): string {
  const pairs = BASE_MODEL.map(([k, v]) => (k === 'type' ? [k, JSON.stringify(type)] : [k, v]) as [string, string]);
  const i = pairs.findIndex(([k]) => k === key);
  if (i >= 0) pairs[i] = [key, value];
  else pairs.push([key, value]);
  return pairs.map(([k, v]) => `"${k}": ${v}`).join(', ');
}

const WRONG_VALUES = ['"3"', '"three"', 'true', 'null', '[3]', '{"n": 3}', '-3', '2.5', '0', '""'];

/** Every case of the generated corpus. */
export function generatedCorpus(): HostileCase[] {
  const cases: HostileCase[] = [];
  const add = (c: HostileCase) => cases.push(c);
  const rnd = prng(0x5eed);

  // --- broken JSON -------------------------------------------------------------------------
  for (let i = 0; i < SMALL_VALID.length; i++) {
    add({ name: `truncated/${i}`, text: SMALL_VALID.slice(0, i), expect: 'error' });
  }
  const valid = SMALL_VALID;
  const syntax: [string, string, string?, string?][] = [
    ['leading-comma-object', valid.replace('{"model"', '{,"model"'), 'syntax', ','],
    ['double-comma', valid.replace('"seed": 1,', '"seed": 1,,'), 'syntax', ','],
    ['comma-in-array-start', valid.replace('[[[0.5', '[,[[0.5'), 'syntax', ','],
    ['double-comma-array', valid.replace('0.5, -1', '0.5,, -1'), 'syntax', ','],
    ['missing-comma', valid.replace('"seed": 1,', '"seed": 1'), 'syntax'],
    ['unclosed-string-key', '{"model: {"type": "RNN"}}', 'syntax'],
    ['unclosed-string-end', '{"description": "never closed', 'syntax'],
    ['unclosed-string-newline', '{"description": "line one\nline two"}'],
    ['single-quotes', "{'model': {'type': 'RNN'}}", 'syntax'],
    ['unquoted-key', '{model: {"type": "RNN", "input_size": 1, "hidden_size": 1}}', 'syntax'],
    ['two-top-level', `${valid} ${valid}`, 'syntax'],
    ['trailing-garbage', `${valid} xyz`, 'syntax'],
    ['unclosed-comment', `${valid} /* never closed`, 'syntax'],
    ['bare-number', '42', 'wrong-type', '42'],
    ['bare-string', '"model"', 'wrong-type', '"model"'],
    ['bare-array', '[1, 2, 3]', 'wrong-type', '[1, 2, 3]'],
    ['null', 'null', 'wrong-type', 'null'],
    ['only-whitespace', ' \n\t \r\n ', 'syntax'],
    ['only-comment', '// nothing\n/* here */', 'syntax'],
    ['bad-escape', '{"description": "\\x41"}', 'syntax'],
    ['bad-unicode-escape', '{"description": "\\u12G4"}', 'syntax'],
    ['lone-surrogate-escape', `{"description": "\\ud800", ${valid.slice(1)}`],
    ['hex-number', '{"model": {"type": "RNN", "input_size": 0x10, "hidden_size": 1}}', 'syntax'],
    ['leading-plus', '{"model": {"type": "RNN", "input_size": +1, "hidden_size": 1}}', 'syntax'],
    ['leading-zero', '{"model": {"type": "RNN", "input_size": 01, "hidden_size": 1}}'],
    ['dot-number', '{"seed": .5}', 'syntax'],
    ['bom-valid', `\uFEFF${valid}`],
    ['bom-only', '\uFEFF'],
    ['nul-bytes', `{"model": \u0000\u0000}`, 'syntax'],
    ['python-literals', '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1, "bias": True}}', 'syntax'],
    ['python-none', '{"seed": None}', 'syntax'],
    ['colon-missing', '{"model" {"type": "RNN"}}', 'syntax'],
  ];
  for (const [n, text, code, at] of syntax) {
    const errorExpected = code !== undefined || n === 'bom-only' || n === 'unclosed-string-newline' || n === 'leading-zero';
    add({ name: `syntax/${n}`, text, expect: errorExpected ? 'error' : 'any', code, at });
  }
  for (let g = 0; g < 12; g++) {
    const len = 1 + Math.floor(rnd() * 400);
    let s = '';
    for (let i = 0; i < len; i++) {
      // Mostly bytes as Latin-1 (what a binary file read as text looks like), some JSON punctuation.
      const r = rnd();
      s += r < 0.2 ? '{}[]",:'[Math.floor(rnd() * 7)] : String.fromCharCode(Math.floor(rnd() * (r < 0.9 ? 256 : 0xffff)));
    }
    add({ name: `garbage/${g}`, text: s, expect: 'any' });
  }
  // Garbage that starts like a document.
  add({ name: 'garbage/prefixed', text: valid.slice(0, 30) + '\u0000\u0001\u00ff\ufffd\ud800' + valid.slice(30), expect: 'error' });

  // --- wrong types for every key ------------------------------------------------------------
  for (const [key] of BASE_MODEL) {
    for (const v of WRONG_VALUES) {
      // Values that happen to be right for the key are still read: expect 'any' then.
      const okay = (key === 'dropout' && v === '0') || (['bias', 'batch_first', 'bidirectional'].includes(key) && v === 'true');
      add({ name: `wrong-type/model.${key}=${v}`, text: modelDoc(modelWith(key, v)), expect: okay ? 'any' : 'error', at: okay ? undefined : v });
    }
  }
  for (const key of ['model', 'head', 'seed', 'state_dict', 'input', 'h0', 'c0', 'backward']) {
    for (const v of ['"x"', '42', '-1', '1.5', 'true', 'null', '[]', '[1]', '{}', '{"a": 1}']) {
      const doc = `{"model": {"type": "LSTM", "input_size": 1, "hidden_size": 1}${key === 'model' ? '' : `, "input": [[1]]`}, ${JSON.stringify(key)}: ${v}}`
        .replace(`{"model": {"type": "LSTM", "input_size": 1, "hidden_size": 1}, "model": ${v}}`, `{"model": ${v}}`);
      const text = key === 'model' ? `{"model": ${v}, "input": [[1]]}` : doc;
      // head: null is accepted (no head); seed 42 is fine; input [[1]] duplicates are fine.
      const fine = (key === 'head' && v === 'null') || (key === 'seed' && v === '42') || (key === 'state_dict' && v === '{}') ||
        (key === 'backward' && (v === '{}' || v === '{"a": 1}'));
      add({ name: `wrong-type/${key}=${v}`, text, expect: fine ? 'any' : 'error' });
    }
  }
  for (const key of ['type', 'out_features', 'bias', 'in_features']) {
    for (const v of ['"Conv"', '"2"', '0', '-2', '2.5', 'false', 'null', '[2]', '{}']) {
      const head: Record<string, string> = { type: '"Linear"', out_features: '2' };
      head[key] = v;
      const body = Object.entries(head).map(([k, x]) => `"${k}": ${x}`).join(', ');
      const fine = key === 'bias' && v === 'false';
      add({ name: `wrong-type/head.${key}=${v}`, text: `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 2}, "head": {${body}}, "input": [[1]]}`, expect: fine ? 'any' : 'error', at: fine ? undefined : v });
    }
  }

  // --- numbers JSON does not have, and numbers beyond float ranges ----------------------------
  const specials = ['NaN', 'Infinity', '-Infinity', '1e999', '-1e999', 'nan', 'inf', '-inf'];
  for (const v of specials) {
    const places: [string, string][] = [
      ['hidden_size', modelDoc(`"type": "RNN", "input_size": 2, "hidden_size": ${v}`)],
      ['input', `{"model": {"type": "RNN", "input_size": 2, "hidden_size": 1}, "input": [[0.5, ${v}]]}`],
      ['seed', `{"model": {"type": "RNN", "input_size": 2, "hidden_size": 1}, "seed": ${v}, "input": [[0.5, 1]]}`],
      ['dropout', modelDoc(`"type": "RNN", "input_size": 2, "hidden_size": 1, "dropout": ${v}`)],
      ['state_dict', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "state_dict": {"weight_ih_l0": [[${v}]]}, "input": [[1]]}`],
      ['h0', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]], "h0": [[${v}]]}`],
      ['rand', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": {"rand": [1, ${v}]}}`],
    ];
    for (const [where, text] of places) add({ name: `non-finite/${where}=${v}`, text, expect: 'error', at: v });
  }
  // Tiny numbers are fine: they read as (float32) zero or a subnormal.
  add({ name: 'non-finite/input=1e-400', text: '{"model": {"type": "RNN", "input_size": 2, "hidden_size": 1}, "input": [[1e-400, -1e-400]]}', expect: 'any' });
  add({ name: 'non-finite/input=1e-45', text: '{"model": {"type": "RNN", "input_size": 2, "hidden_size": 1}, "input": [[1e-45, 1e-39]]}', expect: 'any' });
  add({ name: 'non-finite/input=float32-overflow', text: '{"model": {"type": "RNN", "input_size": 2, "hidden_size": 1}, "input": [[1e39, 0]]}', expect: 'error', code: 'non-finite', at: '1e39' });
  add({ name: 'non-finite/weight=float32-max', text: '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "state_dict": {"weight_ih_l0": [[3.4e38]], "weight_hh_l0": [[3.4e38]], "bias_ih_l0": [0], "bias_hh_l0": [0]}, "input": [[1], [1]]}', expect: 'any' });

  // --- ragged arrays at every depth ----------------------------------------------------------
  const raggedInputs: [string, string][] = [
    ['dim0-leaf', '[[[1, 2]], [[1, 2]], 3]'],
    ['dim0-row', '[[[1, 2]], [[1, 2]], [[1, 2], [1, 2]]]'],
    ['dim1', '[[[1, 2], [3, 4]], [[1, 2]]]'],
    ['dim2-short', '[[[1, 2], [3, 4]], [[1, 2], [3]]]'],
    ['dim2-long', '[[[1, 2], [3, 4]], [[1, 2], [3, 4, 5]]]'],
    ['leaf-is-list', '[[[1, 2], [3, [4]]]]'],
    ['leaf-is-string', '[[[1, 2], [3, "4"]]]'],
    ['leaf-is-null', '[[[1, 2], [3, null]]]'],
    ['leaf-is-object', '[[[1, 2], [3, {}]]]'],
    ['first-deeper', '[[[[1], 2], [3, 4]]]'],
  ];
  for (const [n, arr] of raggedInputs) {
    const at = n === 'dim0-leaf' ? '3' : n === 'dim0-row' ? '[[1, 2], [1, 2]]' : n === 'dim1' ? '[[1, 2]]' : n === 'dim2-short' ? '[3]' : n === 'dim2-long' ? '[3, 4, 5]' :
      n === 'leaf-is-list' ? '[4]' : n === 'leaf-is-string' ? '"4"' : n === 'leaf-is-null' ? 'null' : n === 'leaf-is-object' ? '{}' : undefined;
    add({ name: `ragged/input-${n}`, text: `{"model": {"type": "LSTM", "input_size": 2, "hidden_size": 2}, "input": ${arr}}`, expect: 'error', at });
  }
  add({ name: 'ragged/state_dict', text: '{"model": {"type": "RNN", "input_size": 2, "hidden_size": 2}, "state_dict": {"weight_ih_l0": [[1, 2], [3]]}, "input": [[1, 2]]}', expect: 'error', code: 'ragged', at: '[3]' });
  add({ name: 'ragged/h0', text: '{"model": {"type": "RNN", "input_size": 2, "hidden_size": 2}, "input": [[[1, 2]]], "h0": [[[1, 2]], [[1]]]}', expect: 'error', code: 'ragged' });
  add({ name: 'ragged/backward', text: '{"model": {"type": "RNN", "input_size": 2, "hidden_size": 2}, "input": [[1, 2]], "backward": {"grad_output": [[1, 2], [1]]}}', expect: 'error', code: 'ragged', at: '[1]' });

  // --- deep nesting --------------------------------------------------------------------------
  const N = 100_000;
  add({ name: 'deep/arrays-open', text: '['.repeat(N), expect: 'error', code: 'too-deep' });
  add({ name: 'deep/arrays-closed', text: '['.repeat(N) + ']'.repeat(N), expect: 'error', code: 'too-deep', at: '[' });
  add({ name: 'deep/objects-open', text: '{"a":'.repeat(N), expect: 'error', code: 'too-deep' });
  add({ name: 'deep/objects-closed', text: '{"a":'.repeat(N) + '1' + '}'.repeat(N), expect: 'error', code: 'too-deep', at: '{' });
  add({ name: 'deep/mixed', text: '[{"a":'.repeat(N / 2) + '0' + '}]'.repeat(N / 2), expect: 'error', code: 'too-deep' });
  add({ name: 'deep/in-input', text: `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": ${'['.repeat(N)}1${']'.repeat(N)}}`, expect: 'error', code: 'too-deep' });
  add({ name: 'deep/in-description', text: `{"description": ${'['.repeat(N)}${']'.repeat(N)}, "model": {"type": "RNN", "input_size": 1, "hidden_size": 1}}`, expect: 'error', code: 'too-deep' });
  add({ name: 'deep/in-string-is-fine', text: `{"description": "${'['.repeat(N)}", "model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`, expect: 'any' });
  add({ name: 'deep/commented-out', text: `// ${'['.repeat(N)}\n{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`, expect: 'any' });
  add({ name: 'deep/rank-8-input', text: `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": ${'['.repeat(8)}1${']'.repeat(8)}}`, expect: 'error', code: 'shape' });
  add({ name: 'deep/just-over-limit', text: `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": ${'['.repeat(70)}1${']'.repeat(70)}}`, expect: 'error', code: 'too-deep' });

  // --- empty tensors -------------------------------------------------------------------------
  for (const e of ['[]', '[[]]', '[[[]]]', '[[], []]', '[[[]], [[]]]']) {
    add({ name: `empty/input=${e}`, text: `{"model": {"type": "GRU", "input_size": 2, "hidden_size": 2}, "input": ${e}}`, expect: 'error', at: e });
    add({ name: `empty/h0=${e}`, text: `{"model": {"type": "GRU", "input_size": 2, "hidden_size": 2}, "input": [[[1, 2]]], "h0": ${e}}`, expect: 'error', at: e });
    add({ name: `empty/state_dict=${e}`, text: `{"model": {"type": "GRU", "input_size": 2, "hidden_size": 2}, "state_dict": {"bias_ih_l0": ${e}}, "input": [[1, 2]]}`, expect: 'error', at: e });
  }

  // --- zero, negative, fractional and absurd sizes ------------------------------------------
  const sizes: [string, string, string?, string?][] = [
    ['hidden_size=1e9', modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 1e9'), 'budget'],
    ['hidden_size=1e15', modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 1e15'), 'budget'],
    ['hidden_size=1e300', modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 1e300')],
    ['hidden_size=2^53', modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 9007199254740993')],
    ['hidden_size=0', modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 0'), 'out-of-range', '0'],
    ['hidden_size=-5', modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": -5'), 'out-of-range', '-5'],
    ['hidden_size=2.5', modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 2.5'), 'wrong-type', '2.5'],
    ['input_size=0', modelDoc('"type": "RNN", "input_size": 0, "hidden_size": 2'), 'out-of-range', '0'],
    ['input_size=1e9', modelDoc('"type": "RNN", "input_size": 1e9, "hidden_size": 2', ', "input": {"rand": [1, 1, 1000000000]}'), 'budget'],
    ['num_layers=2.5', modelDoc('"type": "GRU", "input_size": 2, "hidden_size": 2, "num_layers": 2.5'), 'wrong-type', '2.5'],
    ['num_layers=0', modelDoc('"type": "GRU", "input_size": 2, "hidden_size": 2, "num_layers": 0'), 'out-of-range', '0'],
    ['num_layers=1e9', modelDoc('"type": "GRU", "input_size": 2, "hidden_size": 2, "num_layers": 1e9'), 'budget'],
    ['num_layers=1e6-long', modelDoc('"type": "GRU", "input_size": 2, "hidden_size": 2, "num_layers": 1000000', ', "input": {"rand": [1000, 1, 2]}'), 'budget'],
    ['seed=-1', '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "seed": -1, "input": [[1]]}', 'out-of-range', '-1'],
    ['seed=1.5', '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "seed": 1.5, "input": [[1]]}', 'wrong-type', '1.5'],
    ['seed=2^70', '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "seed": 1180591620717411303424, "input": [[1]]}'],
    ['dropout=1', modelDoc('"type": "GRU", "input_size": 2, "hidden_size": 2, "num_layers": 2, "dropout": 1'), 'out-of-range', '1'],
    ['dropout=-0.1', modelDoc('"type": "GRU", "input_size": 2, "hidden_size": 2, "num_layers": 2, "dropout": -0.1'), 'out-of-range', '-0.1'],
    ['out_features=1e9', '{"model": {"type": "RNN", "input_size": 1, "hidden_size": 4}, "head": {"type": "Linear", "out_features": 1e9}, "input": [[1]]}', 'budget'],
    ['rand=[1,1e8,10]', '{"model": {"type": "RNN", "input_size": 10, "hidden_size": 2}, "input": {"rand": [1, 1e8, 10]}}', 'budget', '[1, 1e8, 10]'],
    ['rand=[-1,2,3]', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": [-1, 2, 3]}}', undefined, '-1'],
    ['rand=[]', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": []}}', 'wrong-type', '[]'],
    ['rand=[0,2,3]', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": [0, 2, 3]}}', undefined, '0'],
    ['rand=[1.5,2,3]', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": [1.5, 2, 3]}}', 'wrong-type', '1.5'],
    ['rand=[1e300,1e300,3]', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": [1e300, 1e300, 3]}}', 'budget'],
    ['rand="3"', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": "3"}}', 'wrong-type', '"3"'],
    ['rand=[[1]]', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": [[1], 2, 3]}}', 'wrong-type', '[1]'],
    ['rand-and-randn', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": [1, 2, 3], "randn": [1, 2, 3]}}'],
    ['rand-4d', '{"model": {"type": "RNN", "input_size": 3, "hidden_size": 2}, "input": {"rand": [1, 1, 2, 3]}}', 'shape'],
    ['rand-flops', '{"model": {"type": "LSTM", "input_size": 1000, "hidden_size": 1000}, "input": {"rand": [5000, 1, 1000]}}', 'budget'],
    ['long-sequence-trace', '{"model": {"type": "LSTM", "input_size": 64, "hidden_size": 512}, "input": {"rand": [100000, 8, 64]}}', 'budget'],
  ];
  for (const [n, text, code, at] of sizes) {
    const anyOk = n === 'rand-and-randn';
    add({ name: `sizes/${n}`, text, expect: anyOk ? 'any' : 'error', code, at });
  }

  // --- options that do not belong to the type -------------------------------------------------
  add({ name: 'type/proj_size>=hidden', text: modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 3, "proj_size": 3'), expect: 'error', code: 'out-of-range', at: '3' });
  add({ name: 'type/proj_size>hidden', text: modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 3, "proj_size": 30'), expect: 'error', code: 'out-of-range', at: '30' });
  add({ name: 'type/proj_size-negative', text: modelDoc('"type": "LSTM", "input_size": 2, "hidden_size": 3, "proj_size": -1'), expect: 'error', at: '-1' });
  for (const t of ['GRU', 'RNN']) {
    add({ name: `type/proj_size-on-${t}`, text: modelDoc(`"type": "${t}", "input_size": 2, "hidden_size": 3, "proj_size": 1`), expect: 'error', code: 'not-for-type', at: '"proj_size"' });
    add({ name: `type/proj_size-0-on-${t}`, text: modelDoc(`"type": "${t}", "input_size": 2, "hidden_size": 3, "proj_size": 0`), expect: 'error', code: 'not-for-type', at: '"proj_size"' });
    add({ name: `type/c0-on-${t}`, text: `{"model": {"type": "${t}", "input_size": 2, "hidden_size": 1}, "input": [[1, 2]], "c0": [[0]]}`, expect: 'error', code: 'not-for-type', at: '"c0"' });
  }
  for (const t of ['LSTM', 'GRU']) {
    add({ name: `type/nonlinearity-on-${t}`, text: modelDoc(`"type": "${t}", "input_size": 2, "hidden_size": 3, "nonlinearity": "tanh"`), expect: 'error', code: 'not-for-type', at: '"nonlinearity"' });
  }
  for (const v of ['"sigmoid"', '"ReLU"', '"TANH"', '""', '1', 'null']) {
    add({ name: `type/nonlinearity=${v}`, text: modelDoc(`"type": "RNN", "input_size": 2, "hidden_size": 3, "nonlinearity": ${v}`), expect: 'error', at: v });
  }
  for (const v of ['"rnn"', '"nn.LSTM"', '"Transformer"', '""', '"LSTM "', '"GRU\\u0000"']) {
    add({ name: `type/type=${v}`, text: modelDoc(`"type": ${v}, "input_size": 2, "hidden_size": 3`), expect: 'error', code: 'out-of-range', at: v });
  }
  add({ name: 'type/missing-type', text: modelDoc('"input_size": 2, "hidden_size": 3'), expect: 'error', code: 'missing-key' });
  add({ name: 'type/grad_c_n-on-GRU', text: '{"model": {"type": "GRU", "input_size": 2, "hidden_size": 1}, "input": [[1, 2]], "backward": {"grad_c_n": [[1]]}}', expect: 'error', code: 'not-for-type', at: '"grad_c_n"' });

  // --- every wrong state_dict shape of a 2-layer bidirectional LSTM with proj -----------------
  const full = LSTM_PROJ_PARAMS.map(([n, s], i) => [n, filled(s, i * 7)] as [string, string]);
  add({ name: 'state_dict/lstm-proj-complete', text: lstmProjDoc(full), expect: 'any' });
  for (let p = 0; p < LSTM_PROJ_PARAMS.length; p++) {
    const [name, shape] = LSTM_PROJ_PARAMS[p];
    const variants: [string, number[] | 'scalar'][] = [];
    for (let d = 0; d < shape.length; d++) {
      const plus = [...shape]; plus[d] += 1; variants.push([`dim${d}+1`, plus]);
      const minus = [...shape]; minus[d] -= 1; variants.push([`dim${d}-1`, minus]);
    }
    variants.push(['rank+1', [1, ...shape]]);
    variants.push(['rank-1', shape.length > 1 ? shape.slice(1) : 'scalar']);
    variants.push(['transposed', [...shape].reverse()]);
    for (const [vn, s] of variants) {
      if (s !== 'scalar' && s.join() === shape.join()) continue; // a square transposed shape is still right
      const value = s === 'scalar' ? '0.5' : filled(s);
      const entries = full.map(([n, v]) => [n, n === name ? value : v] as [string, string]);
      add({ name: `state_dict/${name}/${vn}`, text: lstmProjDoc(entries), expect: 'error', code: s === 'scalar' ? 'wrong-type' : s.includes(0) ? 'empty' : 'shape', at: value });
    }
    add({ name: `state_dict/${name}/missing`, text: lstmProjDoc(full.filter(([n]) => n !== name)), expect: 'any', code: 'missing-key' });
    add({ name: `state_dict/${name}/duplicated`, text: lstmProjDoc([...full, [name, full[p][1]]]), expect: 'any', code: 'duplicate-key', at: JSON.stringify(name) });
    // As JSON.parse: the last value wins and the earlier one is only warned about.
    add({ name: `state_dict/${name}/duplicated-bad-first`, text: lstmProjDoc([[name, '"oops"'], ...full]), expect: 'any', code: 'duplicate-key', at: JSON.stringify(name) });
  }
  for (const extra of ['weight_ih_l2', 'weight_ih_l0_forward', 'weight_hr_l2_reverse', 'bias_l0', 'head.weight', 'rnn.weight_ih_l0', 'weight_ih_l00']) {
    add({ name: `state_dict/unexpected/${extra}`, text: lstmProjDoc([...full, [extra, filled([16, 3])]]), expect: 'error', at: JSON.stringify(extra) });
  }

  // --- prototype keys at every level ----------------------------------------------------------
  for (const key of ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '__defineGetter__']) {
    const k = JSON.stringify(key);
    const poison = `{"polluted": true, "prototype": {"polluted": true}}`;
    const docs: [string, string][] = [
      ['top', `{${k}: ${poison}, "model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`],
      ['model', `{"model": {${k}: ${poison}, "type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`],
      ['head', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "head": {${k}: ${poison}, "out_features": 1}, "input": [[1]]}`],
      ['state_dict', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "state_dict": {${k}: [[1]]}, "input": [[1]]}`],
      ['state_dict-prefix', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "state_dict": {"${key}.weight_ih_l0": [[1]]}, "input": [[1]]}`],
      ['input', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": {${k}: [1, 1]}}`],
      ['rand', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": {"rand": [1, 1], ${k}: ${poison}}}`],
      ['backward', `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]], "backward": {${k}: ${poison}}}`],
      ['as-type', modelDoc(`"type": ${k}, "input_size": 1, "hidden_size": 1`)],
      ['as-nonlinearity', modelDoc(`"type": "RNN", "input_size": 1, "hidden_size": 1, "nonlinearity": ${k}`)],
    ];
    for (const [where, text] of docs) add({ name: `proto/${key}@${where}`, text, expect: 'any' });
  }

  // --- markup and control characters in every string ------------------------------------------
  const nasty = ['\\u0000', '\\u202e', '\\u2028', '\\u001b[31m', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '${7*7}', '{0}', '%s', '\\\\u0041', '"+"'];
  for (const s of nasty) {
    const js = s === '"+"' ? '\\"+\\"' : s;
    add({ name: `markup/description:${s}`, text: `{"description": "${js}", "model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`, expect: 'any' });
    add({ name: `markup/top-key:${s}`, text: `{"x${js}": 1, "model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`, expect: 'any', code: 'unknown-key' });
    add({ name: `markup/model-key:${s}`, text: modelDoc(`"type": "RNN", "input_size": 1, "hidden_size": 1, "${js}": 1`), expect: 'any', code: 'unknown-key' });
    add({ name: `markup/type:${s}`, text: modelDoc(`"type": "${js}", "input_size": 1, "hidden_size": 1`), expect: 'error', code: 'out-of-range' });
    add({ name: `markup/nonlinearity:${s}`, text: modelDoc(`"type": "RNN", "input_size": 1, "hidden_size": 1, "nonlinearity": "${js}"`), expect: 'error' });
    add({ name: `markup/state_dict-key:${s}`, text: `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "state_dict": {"${js}": [[1]]}, "input": [[1]]}`, expect: 'error' });
    add({ name: `markup/head-type:${s}`, text: `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "head": {"type": "${js}", "out_features": 1}, "input": [[1]]}`, expect: 'error' });
    add({ name: `markup/input-string:${s}`, text: `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [["${js}"]]}`, expect: 'error', code: 'wrong-type' });
  }
  // Raw (unescaped) control characters in strings and keys.
  for (const c of ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u202e', '\u2066', '\ufeff']) {
    const esc = `U+${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    add({ name: `control/raw-in-key:${esc}`, text: `{"a${c}b": 1, "model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`, expect: 'any' });
    add({ name: `control/raw-in-type:${esc}`, text: modelDoc(`"type": "RNN${c}", "input_size": 1, "hidden_size": 1`), expect: 'error' });
  }

  // --- big but well-formed -------------------------------------------------------------------
  const row = Array.from({ length: 2000 }, (_, i) => ((i % 17) - 8) / 8).join(',');
  const many = Array.from({ length: 50 }, () => `[${row}]`).join(',');
  add({ name: 'huge/100k-numbers-one-line', text: `{"model": {"type": "GRU", "input_size": 2000, "hidden_size": 1}, "input": [${many}]}`, expect: 'any' });
  add({ name: 'huge/long-key', text: `{"${'k'.repeat(200_000)}": 1, "model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`, expect: 'any', code: 'unknown-key' });
  add({ name: 'huge/many-keys', text: `{${Array.from({ length: 5_000 }, (_, i) => `"k${i}": ${i}`).join(', ')}, "model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]]}`, expect: 'any' });
  add({ name: 'huge/many-errors', text: `{"model": {"type": "RNN", "input_size": 1, "hidden_size": 1}, "input": [[1]], "state_dict": {${Array.from({ length: 5000 }, (_, i) => `"bad${i}": [[1]]`).join(', ')}}}`, expect: 'error' });
  add({ name: 'huge/many-syntax-errors', text: '{' + ',,'.repeat(20_000) + '}', expect: 'error', code: 'syntax' });

  return cases;
}
