/*
 * Python expressions as a small syntax tree, parsed from one logical line's tokens with a
 * Pratt parser. Only what a PyTorch snippet needs is modelled (numbers, strings, names,
 * attributes, calls with keywords, subscripts and slices, tuples/lists, arithmetic); anything
 * else becomes an `other` node whose sub-expressions are still kept so calls inside are found.
 * Nesting is capped (MAX_DEPTH): deeper text is skipped as one opaque node, so hostile input
 * cannot exhaust the stack. Never throws. Layer: python (pure). Imports the tokenizer only.
 */
import type { Token } from './tokenizer';
import { stringValue } from './tokenizer';

export interface Span {
  start: number;
  end: number;
}

export interface KeywordArg {
  name: string;
  value: Expr;
  span: Span;
}

export type Expr =
  | { k: 'num'; text: string; span: Span }
  | { k: 'str'; value: string; span: Span }
  | { k: 'const'; value: boolean | null; span: Span }
  | { k: 'name'; id: string; span: Span }
  | { k: 'attr'; obj: Expr; attr: string; span: Span }
  | { k: 'call'; fn: Expr; args: Expr[]; kwargs: KeywordArg[]; /** *args, **kw or unparsable parts */ messy: boolean; span: Span }
  | { k: 'sub'; obj: Expr; index: Expr; span: Span }
  | { k: 'slice'; lo?: Expr; hi?: Expr; step?: Expr; span: Span }
  | { k: 'tuple'; items: Expr[]; bracket: '(' | '[' | ''; span: Span }
  | { k: 'unary'; op: string; arg: Expr; span: Span }
  | { k: 'bin'; op: string; left: Expr; right: Expr; span: Span }
  | { k: 'other'; what: string; parts: Expr[]; span: Span };

/** Deeper nesting than this is skipped as one opaque node. */
export const MAX_DEPTH = 60;

const BINARY: Record<string, [number, boolean]> = {
  // op: [precedence, rightAssociative]
  or: [2, false],
  and: [3, false],
  in: [5, false], is: [5, false], '<': [5, false], '>': [5, false], '==': [5, false], '>=': [5, false], '<=': [5, false], '!=': [5, false],
  '|': [6, false], '^': [7, false], '&': [8, false], '<<': [9, false], '>>': [9, false],
  '+': [10, false], '-': [10, false],
  '*': [11, false], '/': [11, false], '//': [11, false], '%': [11, false], '@': [11, false],
  '**': [14, true],
};

const STOP_WORDS = new Set(['for', 'else', 'as', 'from', 'async']);

/** Parses token ranges of one logical line. */
export class ExprParser {
  private p = 0;
  private depth = 0;
  constructor(private readonly toks: Token[], private end = toks.length) {}

  get pos(): number {
    return this.p;
  }
  set pos(v: number) {
    this.p = v;
  }

  /** Parses one expression (a bare tuple `a, b` included when `allowTuple`) starting at `from`. */
  parseAt(from: number, to: number, allowTuple = true): { expr?: Expr; next: number } {
    const savedEnd = this.end;
    this.end = to;
    this.p = from;
    this.depth = 0;
    const expr = allowTuple ? this.parseTupleOrExpr() : this.parseExpr(0);
    const next = this.p;
    this.end = savedEnd;
    return { expr, next };
  }

  private peek(o = 0): Token | undefined {
    const i = this.p + o;
    return i < this.end ? this.toks[i] : undefined;
  }

  private span(a: Token | Span, b: Token | Span): Span {
    return { start: a.start, end: b.end };
  }

  private parseTupleOrExpr(): Expr | undefined {
    const first = this.parseExpr(0);
    if (!first) return undefined;
    if (this.peek()?.text !== ',') return first;
    const items = [first];
    while (this.peek()?.text === ',') {
      this.p++;
      const t = this.peek();
      if (!t || t.text === '=' || t.text === ')' || t.text === ']' || t.text === ':') break;
      const e = this.parseExpr(0);
      if (!e) break;
      items.push(e);
    }
    return { k: 'tuple', items, bracket: '', span: this.span(items[0].span, items[items.length - 1].span) };
  }

  /** Pratt loop. Returns undefined when no expression starts here (nothing consumed). */
  parseExpr(minPrec: number): Expr | undefined {
    if (this.depth >= MAX_DEPTH) return this.skipOpaque();
    this.depth++;
    try {
      let left = this.parsePrefix();
      if (!left) return undefined;
      for (;;) {
        const t = this.peek();
        if (!t) break;
        let op = t.text;
        if (t.kind === 'string' || t.kind === 'number') break;
        if (op === 'not' && this.peek(1)?.text === 'in') op = 'not in';
        if (op === 'is' && this.peek(1)?.text === 'not') op = 'is not';
        if (op === 'if' && minPrec <= 1) {
          // Conditional expression: a if cond else b.
          this.p++;
          const cond = this.parseExpr(2);
          const parts: Expr[] = [left];
          if (cond) parts.push(cond);
          if (this.peek()?.text === 'else') {
            this.p++;
            const alt = this.parseExpr(1);
            if (alt) parts.push(alt);
          }
          const last = parts[parts.length - 1];
          left = { k: 'other', what: 'conditional', parts, span: this.span(left.span, last.span) };
          continue;
        }
        const info = BINARY[op === 'not in' ? 'in' : op === 'is not' ? 'is' : op];
        if (!info || (t.kind === 'name' && !['and', 'or', 'in', 'is', 'not'].includes(t.text))) break;
        const [prec, right] = info;
        if (prec < minPrec) break;
        this.p += op.includes(' ') ? 2 : 1;
        const rhs = this.parseExpr(right ? prec : prec + 1);
        if (!rhs) {
          left = { k: 'other', what: op, parts: [left], span: left.span };
          break;
        }
        left = { k: 'bin', op, left, right: rhs, span: this.span(left.span, rhs.span) };
      }
      return left;
    } finally {
      this.depth--;
    }
  }

  /** Skips one bracketed group (or one token) as an opaque node. */
  private skipOpaque(): Expr | undefined {
    const t = this.peek();
    if (!t) return undefined;
    if (t.match !== undefined && t.match > this.p && t.match < this.end) {
      const endTok = this.toks[t.match];
      this.p = t.match + 1;
      return { k: 'other', what: 'too deep', parts: [], span: this.span(t, endTok) };
    }
    if (t.match !== undefined && '([{'.includes(t.text)) {
      // Unclosed: everything to the end of the line.
      const endTok = this.toks[this.end - 1];
      this.p = this.end;
      return { k: 'other', what: 'too deep', parts: [], span: this.span(t, endTok) };
    }
    this.p++;
    return { k: 'other', what: 'too deep', parts: [], span: this.span(t, t) };
  }

  private parsePrefix(): Expr | undefined {
    const t = this.peek();
    if (!t) return undefined;
    let e: Expr | undefined;
    if (t.kind === 'number') {
      this.p++;
      e = { k: 'num', text: t.text, span: this.span(t, t) };
    } else if (t.kind === 'string') {
      let value = '';
      let last = t;
      let fstring = false;
      while (this.peek()?.kind === 'string') {
        last = this.peek()!;
        if (/^[a-zA-Z]*[fF]/.test(last.text)) fstring = true;
        value += stringValue(last.text);
        this.p++;
      }
      e = fstring
        ? { k: 'other', what: 'f-string', parts: [], span: this.span(t, last) }
        : { k: 'str', value, span: this.span(t, last) };
    } else if (t.kind === 'name') {
      if (t.text === 'True' || t.text === 'False' || t.text === 'None') {
        this.p++;
        e = { k: 'const', value: t.text === 'None' ? null : t.text === 'True', span: this.span(t, t) };
      } else if (t.text === 'not') {
        this.p++;
        const arg = this.parseExpr(4);
        if (!arg) return { k: 'other', what: 'not', parts: [], span: this.span(t, t) };
        return { k: 'unary', op: 'not', arg, span: this.span(t, arg.span) };
      } else if (t.text === 'lambda') {
        // lambda params: body
        this.p++;
        while (this.peek() && this.peek()!.text !== ':') this.p++;
        if (this.peek()) this.p++;
        const body = this.parseExpr(1);
        return { k: 'other', what: 'lambda', parts: body ? [body] : [], span: this.span(t, body ? body.span : t) };
      } else if (t.text === 'await' || t.text === 'yield') {
        this.p++;
        if (this.peek()?.text === 'from') this.p++;
        const arg = this.parseExpr(12);
        return { k: 'other', what: t.text, parts: arg ? [arg] : [], span: this.span(t, arg ? arg.span : t) };
      } else if (STOP_WORDS.has(t.text) || BINARY[t.text] || t.text === 'if') {
        return undefined;
      } else {
        this.p++;
        e = { k: 'name', id: t.text, span: this.span(t, t) };
      }
    } else if (t.text === '(' || t.text === '[' || t.text === '{') {
      e = this.parseGroup();
    } else if (t.text === '-' || t.text === '+' || t.text === '~') {
      this.p++;
      const arg = this.parseExpr(12);
      if (!arg) return { k: 'other', what: t.text, parts: [], span: this.span(t, t) };
      return { k: 'unary', op: t.text, arg, span: this.span(t, arg.span) };
    } else if (t.text === '*' || t.text === '**') {
      this.p++;
      const arg = this.parseExpr(6);
      return { k: 'other', what: 'starred', parts: arg ? [arg] : [], span: this.span(t, arg ? arg.span : t) };
    } else if (t.text === '...') {
      this.p++;
      return { k: 'other', what: 'ellipsis', parts: [], span: this.span(t, t) };
    } else {
      return undefined;
    }
    // Postfix: attribute, call, subscript.
    while (e) {
      const n = this.peek();
      if (!n) break;
      if (n.text === '.' && this.peek(1)?.kind === 'name') {
        const a = this.peek(1)!;
        this.p += 2;
        e = { k: 'attr', obj: e, attr: a.text, span: this.span(e.span, a) };
      } else if (n.text === '(') {
        e = this.parseCall(e);
      } else if (n.text === '[') {
        e = this.parseSubscript(e);
      } else break;
    }
    return e;
  }

  /** Index just past the group that opens at `open` (its closer, or the end of the range). */
  private groupEnd(open: number): number {
    const m = this.toks[open].match;
    return m !== undefined && m > open && m < this.end ? m : this.end;
  }

  /**
   * Parses comma-separated items between p (just after an opener) and `close`. Items the
   * parser cannot place (comprehension clauses, dict colons) are kept in `extra`, flagged messy.
   */
  private parseItems(close: number, itemFn: () => Expr | undefined): { items: Expr[]; extra: Expr[]; messy: boolean; trailingComma: boolean } {
    const items: Expr[] = [];
    const extra: Expr[] = [];
    let messy = false;
    let trailingComma = false;
    const savedEnd = this.end;
    this.end = close;
    while (this.p < close) {
      const start = this.p;
      const item = itemFn();
      if (item) items.push(item);
      trailingComma = false;
      // Anything up to the next comma that is not part of the item.
      while (this.p < close && this.toks[this.p].text !== ',') {
        messy = true;
        const before = this.p;
        const junk = this.parseExpr(0);
        if (junk) extra.push(junk);
        if (this.p === before) this.p++;
      }
      if (this.p < close && this.toks[this.p].text === ',') {
        this.p++;
        trailingComma = true;
      }
      if (this.p === start) this.p++;
    }
    this.end = savedEnd;
    return { items, extra, messy, trailingComma };
  }

  /**
   * `{k1: v1, k2: v2}` as `other` 'dict' with parts [k1, v1, k2, v2, ...]; undefined (position
   * restored) when the braces hold anything else (a set, a comprehension, `**spread`).
   */
  private parseDict(open: number, close: number): Expr | undefined {
    const parts: Expr[] = [];
    const savedEnd = this.end;
    this.end = close;
    this.p = open + 1;
    let ok = true;
    while (this.p < close) {
      const key = this.parseExpr(0);
      if (!key || this.toks[this.p]?.text !== ':' || this.p >= close) {
        ok = false;
        break;
      }
      this.p++;
      const value = this.parseExpr(0);
      if (!value) {
        ok = false;
        break;
      }
      parts.push(key, value);
      if (this.p < close && this.toks[this.p].text === ',') this.p++;
      else if (this.p < close) {
        ok = false;
        break;
      }
    }
    this.end = savedEnd;
    if (!ok) {
      this.p = open;
      return undefined;
    }
    this.p = close < this.end ? close + 1 : this.end;
    const endTok = close < this.end ? this.toks[close] : this.toks[Math.max(open, this.end - 1)];
    return { k: 'other', what: 'dict', parts, span: this.span(this.toks[open], endTok) };
  }

  private parseGroup(): Expr {
    const open = this.p;
    const t = this.toks[open];
    const close = this.groupEnd(open);
    if (t.text === '{' && close < this.end) {
      const dict = this.parseDict(open, close);
      if (dict) return dict;
    }
    this.p = open + 1;
    const { items, extra, messy, trailingComma } = this.parseItems(close, () => this.parseExpr(0));
    const endTok = close < this.end ? this.toks[close] : this.toks[Math.max(open, this.end - 1)];
    this.p = close < this.end ? close + 1 : this.end;
    const span = this.span(t, endTok);
    if (t.text === '{' || messy) return { k: 'other', what: t.text === '{' ? 'dict/set' : 'comprehension', parts: [...items, ...extra], span };
    if (t.text === '(' && items.length === 1 && !trailingComma) return { ...items[0], span: items[0].span };
    return { k: 'tuple', items, bracket: t.text as '(' | '[', span };
  }

  private parseCall(fn: Expr): Expr {
    const open = this.p;
    const close = this.groupEnd(open);
    this.p = open + 1;
    const kwargs: KeywordArg[] = [];
    let star = false;
    const { items, extra, messy } = this.parseItems(close, () => {
      const a = this.peek();
      const b = this.peek(1);
      if (a?.kind === 'name' && b?.text === '=') {
        this.p += 2;
        const value = this.parseExpr(0);
        if (value) kwargs.push({ name: a.text, value, span: this.span(a, value.span) });
        return undefined;
      }
      if (a?.text === '*' || a?.text === '**') star = true;
      return this.parseExpr(0);
    });
    const endTok = close < this.end ? this.toks[close] : this.toks[Math.max(open, this.end - 1)];
    this.p = close < this.end ? close + 1 : this.end;
    const args = items;
    return {
      k: 'call',
      fn,
      args: messy ? [...args, ...extra] : args,
      kwargs,
      messy: messy || star,
      span: this.span(fn.span, endTok),
    };
  }

  private parseSubscript(obj: Expr): Expr {
    const open = this.p;
    const close = this.groupEnd(open);
    this.p = open + 1;
    const { items, extra, messy, trailingComma } = this.parseItems(close, () => this.parseSliceItem());
    const endTok = close < this.end ? this.toks[close] : this.toks[Math.max(open, this.end - 1)];
    this.p = close < this.end ? close + 1 : this.end;
    const span = this.span(obj.span, endTok);
    let index: Expr;
    if (messy) index = { k: 'other', what: 'index', parts: [...items, ...extra], span };
    else if (items.length === 1 && !trailingComma) index = items[0];
    else index = { k: 'tuple', items, bracket: '', span };
    return { k: 'sub', obj, index, span };
  }

  private parseSliceItem(): Expr | undefined {
    const first = this.peek();
    if (!first) return undefined;
    let lo: Expr | undefined;
    if (first.text !== ':') lo = this.parseExpr(0);
    if (this.peek()?.text !== ':') return lo;
    const colon = this.peek()!;
    this.p++;
    let hi: Expr | undefined;
    let step: Expr | undefined;
    const isStop = (x?: Token) => !x || x.text === ',' || x.text === ':';
    if (!isStop(this.peek())) hi = this.parseExpr(0);
    if (this.peek()?.text === ':') {
      this.p++;
      if (!isStop(this.peek())) step = this.parseExpr(0);
    }
    const last = step?.span ?? hi?.span ?? colon;
    return { k: 'slice', lo, hi, step, span: this.span(lo ? lo.span : colon, last) };
  }
}

/** Direct children of a node (for iterative walks). */
export function children(e: Expr): Expr[] {
  switch (e.k) {
    case 'attr':
      return [e.obj];
    case 'call':
      return [e.fn, ...e.args, ...e.kwargs.map((k) => k.value)];
    case 'sub':
      return [e.obj, e.index];
    case 'slice':
      return [e.lo, e.hi, e.step].filter((x): x is Expr => !!x);
    case 'tuple':
      return e.items;
    case 'unary':
      return [e.arg];
    case 'bin':
      return [e.left, e.right];
    case 'other':
      return e.parts;
    default:
      return [];
  }
}

/** Visits every node (pre-order, left to right) without recursion. */
export function walk(root: Expr, visit: (e: Expr) => void): void {
  const stack: Expr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    visit(e);
    const c = children(e);
    for (let i = c.length - 1; i >= 0; i--) stack.push(c[i]);
  }
}

/** `a.b.c` as a dotted string when the expression is a plain name chain, else undefined. */
export function dotted(e: Expr): string | undefined {
  const parts: string[] = [];
  let cur: Expr = e;
  for (let guard = 0; guard < 64; guard++) {
    if (cur.k === 'name') {
      parts.push(cur.id);
      return parts.reverse().join('.');
    }
    if (cur.k !== 'attr') return undefined;
    parts.push(cur.attr);
    cur = cur.obj;
  }
  return undefined;
}
