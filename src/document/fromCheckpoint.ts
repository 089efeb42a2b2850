/*
 * `"state_dict": {"from": "model.pt", "prefix": "rnn.", "head_prefix": "fc.", "embedding_prefix": ...}`:
 * the parameters come from a checkpoint file, as `model.load_state_dict(torch.load(...))` would
 * load them (strict: every parameter must be there; nothing is drawn from a seed). See
 * docs/checkpoints.md "Using it in a document".
 * Layer: document. Imports src/checkpoint and engine types; no vscode, no DOM, no Node.
 *
 * The reader does no I/O: the caller passes a resolver that turns the `from` string (as
 * written, relative to the document) into an opened Checkpoint. The CLI opens the file on
 * demand; the extension reads the bytes first (vscode.workspace.fs is asynchronous) with
 * checkpointReference(), then reads the document with a resolver over what it loaded.
 * Only the tensors the model needs are decoded.
 */
import { createScanner, SyntaxKind, type Node } from 'jsonc-parser';
import { CheckpointError, type Checkpoint, type ModuleInfo } from '../checkpoint/index';
import type { EmbeddingConfig, HeadConfig, ModelConfig, ParamInfo } from '../engine/types';
import type { Translate } from './messages';
import { pyList } from './nested';
import type { Severity, Span, StateDictEntry } from './types';
import { spanOf } from './jsonNodes';

/** Opens the checkpoint a document names (`from` as written). Throws (any Error) when it cannot. */
export type CheckpointResolver = (from: string) => Checkpoint;

export const FROM_KEYS = ['from', 'prefix', 'head_prefix', 'embedding_prefix'];

/** What the reader lends this file. */
export interface FromHost {
  readonly tr: Translate;
  report(severity: Severity, code: string, span: Span, message: string): void;
}

/** True when a `state_dict` value is the {"from": ...} form. */
export function isFromBlock(value: Node): boolean {
  return value.type === 'object' && (value.children ?? []).some((p) => p.children?.[0]?.value === 'from');
}

/**
 * The `from` string of a document's state_dict block and where it stands, without reading the
 * rest (for callers that must load the file before reading the document). Undefined when the
 * document names no checkpoint (or is not JSON enough to tell).
 */
export function checkpointReference(text: string): { from: string; span: Span } | undefined {
  // A scan, not a parse: no recursion, whatever the nesting.
  const scanner = createScanner(text, false);
  let depth = 0;
  let inStateDict = -1;
  let lastKey: string | undefined;
  let expectKey = false;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    switch (kind) {
      case SyntaxKind.OpenBraceToken:
        depth++;
        if (depth === 2 && lastKey === 'state_dict') inStateDict = depth;
        expectKey = true;
        lastKey = undefined;
        break;
      case SyntaxKind.OpenBracketToken: depth++; expectKey = false; lastKey = undefined; break;
      case SyntaxKind.CloseBraceToken: case SyntaxKind.CloseBracketToken:
        if (depth === inStateDict) inStateDict = -1;
        depth--;
        break;
      case SyntaxKind.CommaToken: expectKey = true; break;
      case SyntaxKind.ColonToken: expectKey = false; break;
      case SyntaxKind.StringLiteral:
        if (expectKey) { lastKey = scanner.getTokenValue(); expectKey = false; break; }
        if (depth === inStateDict && lastKey === 'from') {
          return { from: scanner.getTokenValue(), span: { start: scanner.getTokenOffset(), end: scanner.getTokenOffset() + scanner.getTokenLength() } };
        }
        break;
      default:
        break;
    }
  }
  return undefined;
}

interface FromArgs {
  host: FromHost;
  /** The reader's spans ('model.input_size', 'head', ...), for diagnostics at the key a mismatch comes from. */
  spans: Record<string, Span>;
  keyNode: Node;
  value: Node;
  model?: ModelConfig;
  head?: HeadConfig;
  embedding?: EmbeddingConfig;
  infos?: ParamInfo[];
  resolver?: CheckpointResolver;
  out: StateDictEntry[];
}

/** Read the {"from": ...} block: report its problems, push the entries the model needs. */
export function readStateDictFrom(a: FromArgs): void {
  const { host, out } = a;
  const tr = host.tr;
  const strings = new Map<string, { value: string; span: Span; keySpan: Span }>();
  for (const p of a.value.children ?? []) {
    const [k, v] = p.children ?? [];
    if (!k || !v) continue;
    const key = String(k.value);
    if (!FROM_KEYS.includes(key)) {
      host.report('warning', 'unknown-key', spanOf(k), tr('unknown key `{0}` in {1}: it is ignored', key, 'state_dict'));
      continue;
    }
    if (v.type !== 'string') {
      host.report('error', 'wrong-type', spanOf(v), tr('`{0}` must be a string (a path for "from", a name prefix such as "rnn." otherwise)', key));
      continue;
    }
    strings.set(key, { value: String(v.value), span: spanOf(v), keySpan: spanOf(k) });
  }
  const from = strings.get('from');
  if (!from) return;
  if (!a.resolver) {
    host.report('error', 'checkpoint', from.span, tr('this reader cannot open files: give the checkpoint\'s bytes to the caller that reads this document (the CLI and the editor do)'));
    return;
  }
  let ckpt: Checkpoint;
  try {
    ckpt = a.resolver(from.value);
  } catch (e) {
    const why = e instanceof CheckpointError ? e.message : String((e as Error)?.message ?? e).split('\n')[0];
    host.report('error', 'checkpoint', from.span, tr('cannot read {0}: {1}', JSON.stringify(from.value), why));
    return;
  }
  const model = a.model;
  if (!model || !a.infos) return;
  const normalise = (p: string) => (p === '' || p.endsWith('.') ? p : `${p}.`);
  const recurrent = ckpt.modules.filter((m) => !m.type.endsWith('Cell'));
  let prefix: string;
  let module: ModuleInfo | undefined;
  const givenPrefix = strings.get('prefix');
  if (givenPrefix) {
    prefix = normalise(givenPrefix.value);
    module = ckpt.modules.find((m) => m.prefix === prefix);
  } else if (recurrent.length === 1) {
    module = recurrent[0];
    prefix = module.prefix;
  } else if (recurrent.length === 0) {
    host.report('error', 'checkpoint', from.span, tr('{0} holds no recurrent module (no weight_ih_l0 with weight_hh_l0): add "prefix" if its names are unusual', JSON.stringify(from.value)));
    return;
  } else {
    host.report('error', 'prefix', from.span, tr('{0} holds {1} recurrent modules ({2}): add "prefix" to say which one this document runs', JSON.stringify(from.value), recurrent.length, recurrent.map((m) => m.prefix).join(', ')));
    return;
  }
  let headPrefix: string | undefined;
  const givenHead = strings.get('head_prefix');
  if (a.head) {
    headPrefix = givenHead ? normalise(givenHead.value) : module?.head?.prefix;
  } else if (givenHead) {
    host.report('warning', 'unknown-key', givenHead.keySpan, tr('`head_prefix` is ignored: the document has no "head"'));
  }
  let embeddingName: string | undefined;
  if (a.embedding) {
    const given = strings.get('embedding_prefix');
    const parent = prefix.slice(0, prefix.slice(0, -1).lastIndexOf('.') + 1);
    embeddingName = `${given ? normalise(given.value) : `${parent}embedding.`}weight`;
  }

  // Attributes a whole pickled model holds, against the document's.
  if (module && module.batch_first !== undefined && module.batch_first !== null && module.batch_first !== model.batchFirst) {
    host.report('warning', 'checkpoint', a.spans['model.batch_first'] ?? a.spans.model ?? from.span,
      tr('the module in {0} was saved with batch_first={1}, the document says batch_first={2}', JSON.stringify(from.value), module.batch_first ? 'True' : 'False', model.batchFirst ? 'true' : 'false'));
  }
  if (module && typeof module.nonlinearity === 'string' && model.type === 'RNN' && module.nonlinearity !== model.nonlinearity) {
    host.report('warning', 'checkpoint', a.spans['model.nonlinearity'] ?? a.spans.model ?? from.span,
      tr('the module in {0} was saved with nonlinearity={1}, the document says {2}', JSON.stringify(from.value), JSON.stringify(module.nonlinearity), JSON.stringify(model.nonlinearity)));
  }

  const wanted: { name: string; key: string; shape: number[]; info?: ParamInfo }[] = [];
  const missing: string[] = [];
  for (const info of a.infos) {
    if (info.name.startsWith('head.')) {
      const key = headPrefix === undefined ? undefined : `${headPrefix}${info.name.slice(5)}`;
      if (key === undefined) { missing.push(`"${info.name}"`); continue; }
      wanted.push({ name: info.name, key, shape: info.shape, info });
    } else {
      wanted.push({ name: info.name, key: `${prefix}${info.name}`, shape: info.shape, info });
    }
  }
  if (a.embedding && embeddingName) wanted.unshift({ name: 'embedding.weight', key: embeddingName, shape: [a.embedding.numEmbeddings, a.embedding.embeddingDim] });
  let bad = false;
  for (const w of wanted) {
    const t = ckpt.get(w.key);
    if (!t) { missing.push(`"${w.key}"`); continue; }
    if (t.shape.length !== w.shape.length || t.shape.some((s, i) => s !== w.shape[i])) {
      bad = true;
      host.report('error', 'shape', blame(w.info, t.shape, w.shape, a.spans, from.span, model),
        tr('size mismatch for {0}: copying a param with shape {1} from checkpoint, the shape in current model is {2}.', w.name, pyList(t.shape), pyList(w.shape)) + ` (${w.key} in ${from.value})`);
      continue;
    }
    if (!['float32', 'float64', 'float16', 'bfloat16'].includes(t.dtype)) {
      bad = true;
      host.report('error', 'checkpoint', from.span, tr('{0} in {1} is a {2} tensor: weights must be floating point', w.key, JSON.stringify(from.value), t.dtype));
      continue;
    }
  }
  if (missing.length > 0) {
    host.report('error', 'missing-key', from.span, a.head && headPrefix === undefined && missing.includes('"head.weight"')
      ? tr('Missing key(s) in state_dict: {0}. No Linear layer beside {1} in {2} fits the head: add "head_prefix" (e.g. "fc.")', missing.join(', '), prefix || 'the module', JSON.stringify(from.value))
      : tr('Missing key(s) in state_dict: {0}. {1} does not hold them: load_state_dict(strict=True) would refuse it, and nothing is drawn from a seed instead', missing.join(', '), JSON.stringify(from.value)));
    return;
  }
  if (bad) return;
  for (const w of wanted) {
    try {
      out.push({ name: w.name, writtenKey: w.key, keySpan: from.keySpan, tensor: ckpt.read(w.key), span: from.span });
    } catch (e) {
      const why = e instanceof CheckpointError ? e.message : String((e as Error)?.message ?? e).split('\n')[0];
      host.report('error', 'checkpoint', from.span, tr('cannot read {0}: {1}', JSON.stringify(from.value), why));
      return;
    }
  }
}

/** The document key a shape mismatch comes from (PyTorch's shape formulas read backwards). */
function blame(info: ParamInfo | undefined, got: number[], want: number[], spans: Record<string, Span>, fallback: Span, model: ModelConfig): Span {
  const at = (...keys: string[]) => {
    for (const k of keys) if (spans[k]) return spans[k];
    return spans.model ?? fallback;
  };
  if (!info) return at('embedding', 'model.input_size');
  const rowsDiffer = got[0] !== want[0];
  switch (info.kind) {
    case 'weight_ih':
      if (!rowsDiffer && got.length === 2 && info.layer === 0) return at('model.input_size');
      if (!rowsDiffer) return at(model.projSize > 0 ? 'model.proj_size' : 'model.hidden_size', 'model.bidirectional');
      return at('model.hidden_size', 'model.type');
    case 'weight_hh':
      return rowsDiffer ? at('model.hidden_size', 'model.type') : at(model.projSize > 0 ? 'model.proj_size' : 'model.hidden_size');
    case 'bias_ih': case 'bias_hh':
      return at('model.hidden_size', 'model.type');
    case 'weight_hr':
      return at('model.proj_size', 'model.hidden_size');
    case 'head.weight':
      return rowsDiffer ? at('head.out_features', 'head') : at('model.hidden_size', 'model.proj_size');
    case 'head.bias':
      return at('head.out_features', 'head');
    default:
      return at('model');
  }
}
