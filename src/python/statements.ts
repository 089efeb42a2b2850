/*
 * Python statements, as far as a snippet reader needs them: class and def headers (with
 * parameters and defaults), imports, assignments (tuple, chained, annotated, augmented),
 * for-loops, returns, and any other line kept as expressions so calls in it are still seen.
 * Compound headers with an inline body (`if x: y = 1`, `def f(): return 2`) and `;` are split.
 * Layer: python (pure). Imports the tokenizer and the expression parser.
 */
import type { LogicalLine, Token } from './tokenizer';
import { ExprParser, type Expr, type Span } from './expr';

export interface Param {
  name: string;
  /** 'plain' (positional or keyword), 'kwonly' (after * or *args), 'star' (*args), 'starstar' (**kw), 'posonly'. */
  kind: 'plain' | 'kwonly' | 'star' | 'starstar' | 'posonly';
  default?: Expr;
  span: Span;
}

export interface ImportItem {
  /** Full dotted module (`torch.nn`) or, for `from m import x`, `m.x`. */
  target: string;
  /** The local name it binds. */
  local: string;
  span: Span;
}

export type Stmt =
  | { k: 'class'; name: string; bases: Expr[]; indent: number; span: Span; inline: boolean }
  | { k: 'def'; name: string; params: Param[]; indent: number; span: Span; inline: boolean }
  | { k: 'import'; items: ImportItem[]; starFrom?: string; indent: number; span: Span }
  | { k: 'assign'; targets: Expr[]; value: Expr; aug?: string; indent: number; span: Span }
  | { k: 'for'; target?: Expr; iter?: Expr; indent: number; span: Span }
  | { k: 'expr'; exprs: Expr[]; keyword?: string; indent: number; span: Span };

const COMPOUND = new Set(['if', 'elif', 'else', 'while', 'for', 'with', 'try', 'except', 'finally', 'async', 'match', 'case']);

/**
 * Statements of one logical line. Inline bodies get `indent + 1` so scoping treats them as the
 * header's body; a `def`/`class` with an inline body is marked `inline`.
 */
export function lineStatements(line: LogicalLine): Stmt[] {
  const out: Stmt[] = [];
  const parser = new ExprParser(line.tokens);
  // Work list of [from, to, indent] ranges: iterative, no recursion over inline bodies.
  const work: [number, number, number][] = [[0, line.tokens.length, line.indent]];
  let guard = 0;
  while (work.length > 0 && guard++ < 10_000) {
    const [from, to, indent] = work.shift()!;
    const toks = line.tokens;
    // Split at top-level ';' (not after a compound header: `def f(): a; b` is all f's body).
    let depth = 0;
    let cut = -1;
    const head = toks[from];
    const compound = head?.kind === 'name' && (head.text === 'def' || head.text === 'class' || COMPOUND.has(head.text));
    for (let i = compound ? to : from; i < to; i++) {
      const t = toks[i].text;
      if (t === '(' || t === '[' || t === '{') depth++;
      else if (t === ')' || t === ']' || t === '}') depth = Math.max(0, depth - 1);
      else if (t === ';' && depth === 0) {
        cut = i;
        break;
      }
    }
    if (cut >= 0) {
      work.unshift([cut + 1, to, indent]);
      if (cut > from) work.unshift([from, cut, indent]);
      continue;
    }
    if (from >= to) continue;
    const first = toks[from];
    const span: Span = { start: first.start, end: toks[to - 1].end };
    if (first.text === '@') {
      // Decorator: keep its expression for calls.
      const { expr } = parser.parseAt(from + 1, to);
      out.push({ k: 'expr', exprs: expr ? [expr] : [], keyword: '@', indent, span });
      continue;
    }
    if (first.kind === 'name' && (first.text === 'def' || first.text === 'class' || (first.text === 'async' && toks[from + 1]?.text === 'def'))) {
      const off = first.text === 'async' ? from + 1 : from;
      const colon = topLevelColon(toks, off + 1, to);
      const nameTok = toks[off + 1];
      const name = nameTok?.kind === 'name' ? nameTok.text : '';
      const inline = colon >= 0 && colon + 1 < to;
      if (toks[off].text === 'def') {
        const open = off + 2;
        const params = toks[open]?.text === '(' ? parseParams(parser, toks, open, colon >= 0 ? colon : to) : [];
        out.push({ k: 'def', name, params, indent, span, inline });
      } else {
        const bases: Expr[] = [];
        const open = off + 2;
        if (toks[open]?.text === '(') {
          const { expr } = parser.parseAt(open, colon >= 0 ? colon : to, false);
          if (expr) bases.push(...(expr.k === 'tuple' ? expr.items : [expr]));
        }
        out.push({ k: 'class', name, bases, indent, span, inline });
      }
      if (inline) work.unshift([colon + 1, to, indent + 1]);
      continue;
    }
    if (first.kind === 'name' && (first.text === 'import' || (first.text === 'from' && toks.slice(from, to).some((t) => t.text === 'import')))) {
      out.push(parseImport(toks, from, to, indent, span));
      continue;
    }
    if (first.kind === 'name' && COMPOUND.has(first.text)) {
      const colon = topLevelColon(toks, from + 1, to);
      const headEnd = colon >= 0 ? colon : to;
      if (first.text === 'for' || (first.text === 'async' && toks[from + 1]?.text === 'for')) {
        const f = first.text === 'for' ? from : from + 1;
        const inIdx = findTopLevel(toks, f + 1, headEnd, 'in');
        const target = inIdx >= 0 ? parser.parseAt(f + 1, inIdx).expr : undefined;
        const iter = inIdx >= 0 ? parser.parseAt(inIdx + 1, headEnd).expr : undefined;
        out.push({ k: 'for', target, iter, indent, span: { start: first.start, end: toks[headEnd - 1].end } });
      } else {
        const exprs: Expr[] = [];
        let p = from + 1;
        while (p < headEnd) {
          const { expr, next } = parser.parseAt(p, headEnd);
          if (expr) exprs.push(expr);
          p = next > p ? next : p + 1;
        }
        out.push({ k: 'expr', exprs, keyword: first.text, indent, span: { start: first.start, end: toks[headEnd - 1].end } });
      }
      if (colon >= 0 && colon + 1 < to) work.unshift([colon + 1, to, indent + 1]);
      continue;
    }
    // Simple statement: [targets =]* value, or augmented, or annotated, or keyword + expr.
    let kw: string | undefined;
    let p = from;
    if (first.kind === 'name' && ['return', 'del', 'assert', 'raise', 'global', 'nonlocal', 'print', 'pass', 'break', 'continue'].includes(first.text)) {
      kw = first.text;
      p = from + 1;
      if (kw === 'print' && toks[p]?.text === '(') {
        kw = undefined;
        p = from;
      }
    }
    const parts: Expr[] = [];
    let aug: string | undefined;
    let annotated = false;
    while (p < to) {
      const { expr, next } = parser.parseAt(p, to);
      if (expr) parts.push(expr);
      let q = next > p ? next : p + 1;
      const t = toks[q];
      if (t && q < to && (t.text === '=' || (t.text.length >= 2 && t.text.endsWith('=') && !['==', '!=', '<=', '>='].includes(t.text)))) {
        if (t.text !== '=') aug = t.text.slice(0, -1);
        q++;
      } else if (t && q < to && t.text === ':' && parts.length === 1 && !kw) {
        // Annotation: `x: int = 3` — skip the annotation.
        const eq = findTopLevel(toks, q + 1, to, '=');
        annotated = true;
        q = eq >= 0 ? eq + 1 : to;
      } else if (q < to) {
        // Something the parser did not place; keep going to still see calls.
        p = q;
        continue;
      }
      p = q;
    }
    if (!kw && parts.length >= 2 && (aug || annotated || isAssignShape(toks, from, to))) {
      out.push({ k: 'assign', targets: parts.slice(0, -1), value: parts[parts.length - 1], aug, indent, span });
    } else {
      out.push({ k: 'expr', exprs: parts, keyword: kw, indent, span });
    }
  }
  return out;
}

/** True when the range contains a top-level `=` or augmented assignment. */
function isAssignShape(toks: Token[], from: number, to: number): boolean {
  return findTopLevel(toks, from, to, '=') >= 0 || toks.slice(from, to).some((t) => /^(\+|-|\*|\/|\/\/|%|\*\*|>>|<<|&|\^|\||@)=$/.test(t.text));
}

function findTopLevel(toks: Token[], from: number, to: number, text: string): number {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const t = toks[i].text;
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0 && t === text) return i;
  }
  return -1;
}

/** The `:` that ends a compound header (not one inside brackets or a lambda). */
function topLevelColon(toks: Token[], from: number, to: number): number {
  let depth = 0;
  let lambdas = 0;
  for (let i = from; i < to; i++) {
    const t = toks[i].text;
    if (t === '(' || t === '[' || t === '{') depth++;
    else if (t === ')' || t === ']' || t === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0 && t === 'lambda' && toks[i].kind === 'name') lambdas++;
    else if (depth === 0 && t === ':') {
      if (lambdas > 0) lambdas--;
      else return i;
    }
  }
  return -1;
}

function parseParams(parser: ExprParser, toks: Token[], open: number, limit: number): Param[] {
  const close = toks[open].match !== undefined && toks[open].match! > open ? Math.min(toks[open].match!, limit) : limit;
  const params: Param[] = [];
  let kwOnly = false;
  let i = open + 1;
  while (i < close) {
    // One parameter up to the next top-level comma.
    let j = i;
    let depth = 0;
    while (j < close) {
      const t = toks[j].text;
      if (t === '(' || t === '[' || t === '{') depth++;
      else if (t === ')' || t === ']' || t === '}') depth--;
      else if (t === ',' && depth === 0) break;
      j++;
    }
    const a = toks[i];
    if (a.text === '/') {
      for (const p of params) if (p.kind === 'plain') p.kind = 'posonly';
    } else if (a.text === '*' && toks[i + 1]?.kind !== 'name') {
      kwOnly = true;
    } else if ((a.text === '*' || a.text === '**') && toks[i + 1]?.kind === 'name') {
      params.push({ name: toks[i + 1].text, kind: a.text === '*' ? 'star' : 'starstar', span: { start: a.start, end: toks[i + 1].end } });
      if (a.text === '*') kwOnly = true;
    } else if (a.kind === 'name') {
      const eq = findTopLevel(toks, i + 1, j, '=');
      const def = eq >= 0 ? parser.parseAt(eq + 1, j).expr : undefined;
      params.push({ name: a.text, kind: kwOnly ? 'kwonly' : 'plain', default: def, span: { start: a.start, end: toks[Math.max(i, j - 1)].end } });
    }
    i = j + 1;
  }
  return params;
}

function parseImport(toks: Token[], from: number, to: number, indent: number, span: Span): Stmt {
  const items: ImportItem[] = [];
  const readDotted = (i: number): [string, number] => {
    // Relative dots first (`from . import x`), then name(.name)*; stops at `import` / `as`.
    let s = '';
    while (i < to && (toks[i].text === '.' || toks[i].text === '...')) s += toks[i++].text;
    while (i < to && toks[i].kind === 'name') {
      s += toks[i].text;
      i++;
      if (i + 1 < to && toks[i].text === '.' && toks[i + 1].kind === 'name') {
        s += '.';
        i++;
      } else break;
    }
    return [s, i];
  };
  if (toks[from].text === 'import') {
    let i = from + 1;
    while (i < to) {
      const start = toks[i];
      const [mod, j] = readDotted(i);
      i = j;
      let local = mod.split('.')[0];
      let bindsWhole = false;
      if (toks[i]?.text === 'as' && toks[i + 1]?.kind === 'name') {
        local = toks[i + 1].text;
        bindsWhole = true;
        i += 2;
      }
      // `import torch.nn` binds `torch` (the top package); `import torch.nn as nn` binds the module.
      if (mod) items.push({ target: bindsWhole ? mod : mod.split('.')[0], local, span: { start: start.start, end: toks[i - 1].end } });
      while (i < to && toks[i].text !== ',') i++;
      i++;
    }
    return { k: 'import', items, indent, span };
  }
  const [mod, afterMod] = readDotted(from + 1);
  let i = afterMod;
  if (toks[i]?.text === 'import') i++;
  if (toks[i]?.text === '*') return { k: 'import', items, starFrom: mod, indent, span };
  while (i < to) {
    const t = toks[i];
    if (t.kind === 'name') {
      let local = t.text;
      let end = t.end;
      if (toks[i + 1]?.text === 'as' && toks[i + 2]?.kind === 'name') {
        local = toks[i + 2].text;
        end = toks[i + 2].end;
        i += 2;
      }
      items.push({ target: `${mod}.${t.text}`, local, span: { start: t.start, end } });
    }
    i++;
  }
  return { k: 'import', items, indent, span };
}
