/*
 * An RNN document for one recurrent module of a checkpoint: the model block from what the file
 * holds, the head beside it, `"state_dict": {"from": ...}` referencing the file, and a random
 * input of the right shape. What the checkpoint editor's "Open as RNN document" and "Unroll" write.
 * Layer: checkpoint. Imports nothing but its own types; no vscode, no DOM, no Node.
 */
import type { ModuleInfo } from './types';

/** Can a document run this module? (Cells are listed, not run: the document's model is RNN, LSTM or GRU.) */
export function canRunModule(m: ModuleInfo): boolean {
  return m.type === 'RNN' || m.type === 'LSTM' || m.type === 'GRU';
}

/**
 * JSONC text of a document running module `m` of the checkpoint at `from` (a path relative to
 * the document). `notes` are comments for what the file could not tell (batch_first, nonlinearity).
 */
export function moduleDocumentText(m: ModuleInfo, from: string, fileLabel: string, notes: { batchFirstUnknown: string; nonlinearityUnknown: string }): string {
  const batchFirst = m.batch_first ?? false;
  const model: Record<string, unknown> = {
    type: m.type, input_size: m.input_size, hidden_size: m.hidden_size, num_layers: m.num_layers ?? 1,
    bias: m.bias, batch_first: batchFirst, bidirectional: m.bidirectional ?? false,
  };
  if (m.type === 'LSTM' && m.proj_size) model.proj_size = m.proj_size;
  if (m.type === 'RNN') model.nonlinearity = m.nonlinearity ?? 'tanh';
  const stateDict: Record<string, string> = { from, prefix: m.prefix };
  if (m.head) stateDict.head_prefix = m.head.prefix;
  const input = batchFirst ? [3, 5, m.input_size] : [5, 3, m.input_size];
  const lines: string[] = ['{'];
  lines.push(`  "description": ${JSON.stringify(`nn.${m.type}${m.prefix ? ` (${m.prefix})` : ''} from ${fileLabel}`)},`);
  if (m.batch_first === null || m.batch_first === undefined) lines.push(`  // ${notes.batchFirstUnknown}`);
  if (m.type === 'RNN' && (m.nonlinearity === null || m.nonlinearity === undefined)) lines.push(`  // ${notes.nonlinearityUnknown}`);
  lines.push(`  "model": ${inline(model)},`);
  if (m.head) lines.push(`  "head": {"type": "Linear", "out_features": ${m.head.out_features}},`);
  lines.push(`  "state_dict": ${inline(stateDict)},`);
  lines.push('  "seed": 0,');
  lines.push(`  "input": {"rand": [${input.join(', ')}]}`);
  lines.push('}', '');
  return lines.join('\n').replace(/\/\/ (.*)$/gm, (_, c: string) => `// ${c.replace(/[\r\n]/g, ' ')}`);
}

/** {"a": 1, "b": "x"} on one line, with a space after each colon and comma. */
function inline(o: Record<string, unknown>): string {
  return `{${Object.entries(o).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
}
