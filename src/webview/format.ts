/*
 * Prints tensors the way PyTorch prints them (torch/_tensor_str.py, default print options:
 * precision 4, linewidth 80, threshold 1000, edgeitems 3), so a user can put our numbers next
 * to their own `print(out)` and compare digit by digit. Also small helpers for shapes.
 * Layer: webview, but PURE: no DOM; imports only the protocol's wire codec. Unit-tested on Node.
 *
 * Values are wire numbers (src/protocol/wire.ts) or plain JS numbers: null and NaN print `nan`,
 * anything beyond float32's range (±Number.MAX_VALUE on the wire, ±Infinity, or a float64 such
 * as 1e39) prints `inf` / `-inf`, because that is what PyTorch's float32 tensor holds.
 *
 * PyTorch: `grad_fn=<...>` suffixes are not printed (our tensors carry no autograd graph).
 */
import { wireKind } from '../protocol/wire';

export interface PrintOptions {
  precision: number;
  linewidth: number;
  threshold: number;
  edgeitems: number;
}

export const TORCH_PRINT_DEFAULTS: PrintOptions = { precision: 4, linewidth: 80, threshold: 1000, edgeitems: 3 };

/**
 * The `linewidth` to print with in a block `widthPx` wide whose monospace characters are
 * `charPx` wide: PyTorch's 80 when that fits, fewer characters in a narrow panel (at least 24,
 * so a row keeps one or two numbers). The block re-wraps the way PyTorch would at that
 * linewidth (torch.set_printoptions(linewidth=...)), never mid-number.
 */
export function linewidthFor(widthPx: number, charPx: number): number {
  if (!(widthPx > 0) || !(charPx > 0)) return TORCH_PRINT_DEFAULTS.linewidth;
  // PyTorch: a line may end up to ndim + 1 characters past linewidth (the closing brackets and
  // ')' of the last row, e.g. `]]])`), so keep 3 characters of room for a 3-D h_n.
  return Math.max(24, Math.min(TORCH_PRINT_DEFAULTS.linewidth, Math.floor(widthPx / charPx) - 3));
}

/** Python's `f"{v:.{p}e}"`: exponent with a sign and at least two digits. */
function sci(v: number, p: number): string {
  const s = v.toExponential(p); // '1.2345e-5'
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

function fixed(v: number, p: number): string {
  const s = v.toFixed(p);
  // Python keeps the sign of negative zero and of values that round to zero
  return Object.is(v, -0) && !s.startsWith('-') ? '-' + s : s;
}

/**
 * PyTorch's _Formatter for floating tensors (torch/_tensor_str.py): decides int / fixed /
 * scientific mode and the column width from the nonzero finite values only, so nan and inf are
 * never counted in the width (`tensor([inf, 2., 3.])`, `tensor([[inf, -inf, nan]])`) but are
 * padded to it (`tensor([   inf, 1.5000])`).
 */
class Formatter {
  private intMode = true;
  private sciMode = false;
  maxWidth = 1;
  constructor(values: (number | null)[], private readonly precision: number) {
    const nonzero: number[] = [];
    for (const v of values) if (wireKind(v) === undefined && v !== 0) nonzero.push(v as number);
    // PyTorch: with no nonzero finite value it stops here (int mode, width 1)
    if (nonzero.length === 0) return;
    this.intMode = nonzero.every((v) => Math.ceil(v) === v);
    const abs = nonzero.map(Math.abs);
    const max = Math.max(...abs);
    const min = Math.min(...abs);
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) this.sciMode = true;
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
    }
    for (const v of nonzero) this.maxWidth = Math.max(this.maxWidth, this.raw(v).length);
  }
  private raw(v: number | null): string {
    const kind = wireKind(v);
    if (kind) return kind;
    const x = v as number;
    if (this.sciMode) return sci(x, this.precision);
    if (this.intMode) return `${fixed(x, 0)}.`;
    return fixed(x, this.precision);
  }
  format(v: number | null): string {
    return this.raw(v).padStart(this.maxWidth, ' ');
  }
}

function summarizedValues(shape: number[], data: (number | null)[], edge: number): (number | null)[] {
  if (shape.length === 0) return data.slice(0, 1);
  const [n, ...rest] = shape;
  const stride = rest.reduce((a, b) => a * b, 1);
  const idx = n > 2 * edge ? [...Array(edge).keys(), ...Array.from({ length: edge }, (_, i) => n - edge + i)] : [...Array(n).keys()];
  const out: (number | null)[] = [];
  for (const i of idx) out.push(...summarizedValues(rest, data.slice(i * stride, (i + 1) * stride), edge));
  return out;
}

/**
 * `str(tensor)` as PyTorch prints it, e.g.
 * `tensor([[ 0.0930,  0.0545],\n        [ 0.1369,  0.0518]])`, or `tensor([[   inf,   -inf,    nan, 1.5000]])`
 * for an overflowed run (see the header for how inf and nan are read). Tensors over
 * `threshold` elements are summarised with `...`.
 */
export function formatTorchTensor(shape: number[], data: (number | null)[], options?: Partial<PrintOptions>): string {
  const o = { ...TORCH_PRINT_DEFAULTS, ...(options ?? {}) };
  const prefix = 'tensor(';
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel === 0) return `${prefix}[], size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''}))`;
  const summarize = numel > o.threshold;
  const fmt = new Formatter(summarize ? summarizedValues(shape, data, o.edgeitems) : data.slice(0, numel), o.precision);
  const body = tensorStr(shape, data, prefix.length, summarize, fmt, o);
  return `${prefix}${body})`;
}

function tensorStr(shape: number[], data: (number | null)[], indent: number, summarize: boolean, fmt: Formatter, o: PrintOptions): string {
  if (shape.length === 0) return fmt.format(data[0]).trim();
  if (shape.length === 1) {
    const n = shape[0];
    const elementLength = fmt.maxWidth + 2;
    const perLine = Math.max(1, Math.floor((o.linewidth - indent) / elementLength));
    let items: string[];
    if (summarize && n > 2 * o.edgeitems) {
      items = [
        ...data.slice(0, o.edgeitems).map((v) => fmt.format(v)),
        ' ...',
        ...data.slice(n - o.edgeitems, n).map((v) => fmt.format(v)),
      ];
    } else items = data.slice(0, n).map((v) => fmt.format(v));
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
    return '[' + lines.join(',\n' + ' '.repeat(indent + 1)) + ']';
  }
  const [n, ...rest] = shape;
  const stride = rest.reduce((a, b) => a * b, 1);
  const sub = (i: number) => tensorStr(rest, data.slice(i * stride, (i + 1) * stride), indent + 1, summarize, fmt, o);
  let slices: string[];
  if (summarize && n > 2 * o.edgeitems) {
    slices = [...[...Array(o.edgeitems).keys()].map(sub), '...', ...Array.from({ length: o.edgeitems }, (_, i) => sub(n - o.edgeitems + i))];
  } else slices = [...Array(n).keys()].map(sub);
  return '[' + slices.join(',' + '\n'.repeat(shape.length - 1) + ' '.repeat(indent + 1)) + ']';
}

/** `torch.Size([3, 5, 20])`-style text for a shape whose dims may be symbolic. */
export function formatShape(shape: (number | string)[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/**
 * Compact number for labels and tooltips: 4 decimals, or scientific for very small/large;
 * `nan`, `inf`, `-inf` as PyTorch's float32 would hold them (see the header).
 */
export function formatNumber(v: number | null, precision = 4): string {
  const kind = wireKind(v);
  if (kind) return kind;
  if (v === null) return 'nan'; // (narrowing only: wireKind said nan)
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return sci(v, Math.min(precision, 4));
  return fixed(v, precision);
}

/** Thousands separators for counts (1234567 -> '1,234,567'). */
export function formatCount(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
