/*
 * A small, forgiving tokenizer for Python source: enough to read PyTorch snippets without
 * running them. It splits the text into logical lines (brackets spanning lines and backslash
 * continuations joined, comments dropped), each with its indentation and tokens carrying
 * character offsets. Strings (all prefixes, single, double and triple quoted) become one token.
 * Never throws; linear in the text length; unterminated strings and stray brackets are tolerated.
 * Layer: python (pure). Imports nothing.
 */

export type TokenKind = 'name' | 'number' | 'string' | 'op';

/** One token; `start`/`end` are offsets into the text (half-open). */
export interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  end: number;
  /** For brackets: index (within the line's tokens) of the matching bracket, or -1. */
  match?: number;
}

/** A logical line: one Python statement line after joining continuations. */
export interface LogicalLine {
  /** Column of the first token (tabs advance to the next multiple of 8, as Python does). */
  indent: number;
  tokens: Token[];
  start: number;
  end: number;
}

const NAME_RE = /[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*/uy;
const NUMBER_RE = /(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)/y;
const STRING_PREFIX_RE = /(?:[rR][bBfF]?|[bBfF][rR]?|[uU])?(?='|")/y;
const OPS3 = new Set(['**=', '//=', '>>=', '<<=', '...']);
const OPS2 = new Set(['**', '//', '==', '!=', '<=', '>=', '->', ':=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '<<', '>>']);
const OPEN = '([{';
const CLOSE = ')]}';

/**
 * Splits Python text into logical lines. `maxChars` bounds the work: text beyond it is not read
 * (the caller says so to the user).
 */
export function tokenize(text: string, maxChars = 1_000_000): LogicalLine[] {
  const n = Math.min(text.length, maxChars);
  const lines: LogicalLine[] = [];
  let tokens: Token[] = [];
  let indent = 0;
  let atLineStart = true;
  let depth = 0;
  let i = 0;

  const finishLine = () => {
    if (tokens.length > 0) {
      matchBrackets(tokens);
      lines.push({ indent, tokens, start: tokens[0].start, end: tokens[tokens.length - 1].end });
      tokens = [];
    }
    atLineStart = true;
    depth = 0;
  };

  while (i < n) {
    if (atLineStart) {
      // Measure indentation of a physical line that starts a logical line.
      let col = 0;
      let j = i;
      while (j < n) {
        const c = text[j];
        if (c === ' ') col++;
        else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8;
        else if (c === '\f') col = 0;
        else break;
        j++;
      }
      indent = col;
      i = j;
      atLineStart = false;
      continue;
    }
    const c = text[i];
    if (c === '\n' || c === '\r') {
      i++;
      if (c === '\r' && text[i] === '\n') i++;
      if (depth === 0) finishLine();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (c === '\\') {
      // Line continuation (or a stray backslash): skip it and the newline after it.
      i++;
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      continue;
    }
    // Strings, with optional prefix.
    const code = text.charCodeAt(i);
    const maybeString = c === '"' || c === "'" || 'rRbBuUfF'.includes(c);
    STRING_PREFIX_RE.lastIndex = i;
    const pre = maybeString ? STRING_PREFIX_RE.exec(text) : null;
    if (pre && pre.index === i && i + pre[0].length < n) {
      const q = i + pre[0].length;
      const end = scanString(text, q, n);
      tokens.push({ kind: 'string', text: text.slice(i, end), start: i, end });
      i = end;
      continue;
    }
    NUMBER_RE.lastIndex = i;
    if ((code >= 48 && code <= 57) || (c >= '0' && c <= '9') || (c === '.' && text[i + 1] >= '0' && text[i + 1] <= '9')) {
      const m = NUMBER_RE.exec(text);
      if (m && m.index === i && m[0].length > 0) {
        tokens.push({ kind: 'number', text: m[0], start: i, end: i + m[0].length });
        i += m[0].length;
        continue;
      }
    }
    const maybeName = code === 95 || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code >= 128;
    NAME_RE.lastIndex = i;
    const nm = maybeName ? NAME_RE.exec(text) : null;
    if (nm && nm.index === i && nm[0].length > 0) {
      tokens.push({ kind: 'name', text: nm[0], start: i, end: i + nm[0].length });
      i += nm[0].length;
      continue;
    }
    // Operators and brackets.
    const three = text.slice(i, i + 3);
    const two = text.slice(i, i + 2);
    let op: string;
    if (OPS3.has(three)) op = three;
    else if (OPS2.has(two)) op = two;
    else op = text.slice(i, i + (isHighSurrogate(c) ? 2 : 1));
    if (OPEN.includes(op)) depth++;
    else if (CLOSE.includes(op)) depth = Math.max(0, depth - 1);
    tokens.push({ kind: 'op', text: op, start: i, end: i + op.length });
    i += op.length;
  }
  finishLine();
  return lines;
}

function isHighSurrogate(c: string): boolean {
  const code = c.charCodeAt(0);
  return code >= 0xd800 && code <= 0xdbff;
}

/** Returns the offset just past the string whose opening quote is at `q`. */
function scanString(text: string, q: number, n: number): number {
  const quote = text[q];
  const triple = text[q + 1] === quote && text[q + 2] === quote;
  let i = q + (triple ? 3 : 1);
  while (i < n) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (triple) {
      if (c === quote && text[i + 1] === quote && text[i + 2] === quote) return i + 3;
    } else {
      if (c === quote) return i + 1;
      if (c === '\n' || c === '\r') return i; // unterminated: ends at the line end
    }
    i++;
  }
  return Math.min(i, n);
}

/** Fills `match` on bracket tokens with a stack; unmatched brackets get -1. */
function matchBrackets(tokens: Token[]): void {
  const stack: number[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== 'op') continue;
    if (t.text.length === 1 && OPEN.includes(t.text)) {
      t.match = -1;
      stack.push(k);
    } else if (t.text.length === 1 && CLOSE.includes(t.text)) {
      t.match = -1;
      const want = OPEN[CLOSE.indexOf(t.text)];
      // Pop to the nearest matching opener; openers skipped over stay unmatched.
      for (let s = stack.length - 1; s >= 0; s--) {
        if (tokens[stack[s]].text === want) {
          tokens[stack[s]].match = k;
          t.match = stack[s];
          stack.length = s;
          break;
        }
      }
    }
  }
}

/** The value of a Python string literal token (escapes decoded roughly; f-strings as written). */
export function stringValue(tokenText: string): string {
  const m = /^([rRbBuUfF]*)('''|"""|'|")/.exec(tokenText);
  if (!m) return tokenText;
  const q = m[2];
  let body = tokenText.slice(m[0].length);
  if (body.endsWith(q)) body = body.slice(0, body.length - q.length);
  if (/[rR]/.test(m[1])) return body;
  return body.replace(/\\(["'\\nt])/g, (_s, ch: string) => (ch === 'n' ? '\n' : ch === 't' ? '\t' : ch));
}
