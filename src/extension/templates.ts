/*
 * Templates for "New RNN Document" and the built-in examples offered when a selected array needs
 * a model. Pure (no vscode import); titles are localised by the caller's `t`.
 * Layer: extension, pure part.
 *
 * The first template is the origin snippet itself:
 *   torch.manual_seed(0); model = SampleRNN(10, 20, 2)  # nn.RNN(10, 20, batch_first=True) + nn.Linear(20, 2)
 *   x = torch.rand(3, 5, 10); model(x)
 * Every template is plain JSON (no comments), so it stays valid under the "json" language.
 */

/** Localiser: vscode.l10n.t in the extension. */
export type Localize = (message: string, ...args: (string | number)[]) => string;

export interface RnnTemplate {
  /** Stable id (used by tests and by the command's optional argument). */
  id: string;
  /** QuickPick label (English; localise with t). */
  label: string;
  /** QuickPick detail (English; localise with t). */
  detail: string;
  /** The document text, 2-space indented, ending with a newline. */
  text: string;
}

/** Compact JSON with a space after ',' and ':' (strings here contain no ',' or ':' that matter). */
function compact(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => v)
    .replace(/,(?=["\[{\d-])/g, ', ')
    .replace(/":/g, '": ');
}

/** The document text: one top-level key per line, `model` one key per line, other values compact. */
function doc(value: Record<string, unknown>): string {
  const entries = Object.entries(value).map(([key, v]) => {
    if (key === 'model' && v !== null && typeof v === 'object') {
      const inner = Object.entries(v as Record<string, unknown>).map(([k, x]) => `    ${JSON.stringify(k)}: ${JSON.stringify(x)}`);
      return `  ${JSON.stringify(key)}: {\n${inner.join(',\n')}\n  }`;
    }
    return `  ${JSON.stringify(key)}: ${key === 'description' ? JSON.stringify(v) : compact(v)}`;
  });
  return `{\n${entries.join(',\n')}\n}\n`;
}

/** The built-in templates, the origin snippet first. */
export const TEMPLATES: readonly RnnTemplate[] = [
  {
    id: 'origin-rnn',
    label: 'RNN 10 → 20, batch_first, Linear 20 → 2',
    detail: 'torch.manual_seed(0); nn.RNN(10, 20, batch_first=True) + nn.Linear(20, 2); x = torch.rand(3, 5, 10)',
    text: doc({
      description: 'torch.manual_seed(0); SampleRNN(10, 20, 2): nn.RNN(10, 20, batch_first=True) then nn.Linear(20, 2) on the last time step; x = torch.rand(3, 5, 10)',
      model: { type: 'RNN', input_size: 10, hidden_size: 20, num_layers: 1, nonlinearity: 'tanh', bias: true, batch_first: true, dropout: 0, bidirectional: false },
      head: { type: 'Linear', out_features: 2 },
      seed: 0,
      input: { rand: [3, 5, 10] },
    }),
  },
  {
    id: 'origin-train',
    label: 'Train the origin RNN: MSELoss, SGD(lr=0.1), 50 steps',
    detail: 'torch.manual_seed(0); SampleRNN(10, 20, 2); x = torch.rand(3, 5, 10); y = torch.rand(3, 2); 50 steps of SGD, as PyTorch trains it',
    text: doc({
      description: 'The origin snippet trained: torch.manual_seed(0); SampleRNN(10, 20, 2); x = torch.rand(3, 5, 10); y = torch.rand(3, 2); loss = nn.MSELoss(); opt = torch.optim.SGD(model.parameters(), lr=0.1); 50 steps. Run "RNN: Train" to watch the loss fall.',
      model: { type: 'RNN', input_size: 10, hidden_size: 20, num_layers: 1, nonlinearity: 'tanh', bias: true, batch_first: true, dropout: 0, bidirectional: false },
      head: { type: 'Linear', out_features: 2 },
      seed: 0,
      input: { rand: [3, 5, 10] },
      train: { loss: 'mse', target: { rand: [3, 2] }, optimizer: { type: 'SGD', lr: 0.1 }, steps: 50 },
    }),
  },
  {
    id: 'lstm',
    label: 'LSTM 8 → 16, Linear 16 → 3',
    detail: 'nn.LSTM(8, 16) with gates i, f, g, o; x = torch.rand(6, 2, 8) (L=6, N=2)',
    text: doc({
      description: 'torch.manual_seed(0); nn.LSTM(8, 16) then nn.Linear(16, 3); x = torch.rand(6, 2, 8), sequence first (L, N, input_size)',
      model: { type: 'LSTM', input_size: 8, hidden_size: 16, num_layers: 1, bias: true, batch_first: false, dropout: 0, bidirectional: false, proj_size: 0 },
      head: { type: 'Linear', out_features: 3 },
      seed: 0,
      input: { rand: [6, 2, 8] },
    }),
  },
  {
    id: 'lstm-bi-2layer',
    label: 'Bidirectional 2-layer LSTM 4 → 8',
    detail: 'nn.LSTM(4, 8, num_layers=2, bidirectional=True, batch_first=True); x = torch.rand(2, 7, 4)',
    text: doc({
      description: 'torch.manual_seed(0); nn.LSTM(4, 8, num_layers=2, bidirectional=True, batch_first=True) then nn.Linear(16, 2); x = torch.rand(2, 7, 4)',
      model: { type: 'LSTM', input_size: 4, hidden_size: 8, num_layers: 2, bias: true, batch_first: true, dropout: 0, bidirectional: true, proj_size: 0 },
      head: { type: 'Linear', out_features: 2 },
      seed: 0,
      input: { rand: [2, 7, 4] },
    }),
  },
  {
    id: 'gru',
    label: 'GRU 3 → 6, a written input',
    detail: 'nn.GRU(3, 6) with gates r, z, n; an input written out as numbers (L=4, N=1, input_size=3)',
    text: doc({
      description: 'torch.manual_seed(0); nn.GRU(3, 6); x = torch.tensor([...]) of shape (4, 1, 3): edit the numbers and run again',
      model: { type: 'GRU', input_size: 3, hidden_size: 6, num_layers: 1, bias: true, batch_first: false, dropout: 0, bidirectional: false },
      seed: 0,
      input: [[[0.5, -0.1, 0.2]], [[0.0, 0.3, -0.4]], [[0.9, 0.1, 0.0]], [[-0.2, -0.5, 0.7]]],
    }),
  },
];

/** The template with this id, if any. */
export function templateById(id: string): RnnTemplate | undefined {
  return TEMPLATES.find((tpl) => tpl.id === id);
}

/** Where to put the cursor in a new document from this template: at the start of the input's value. */
export function templateCursorOffset(tpl: RnnTemplate): number {
  const key = tpl.text.indexOf('"input":');
  return key < 0 ? 0 : key + '"input": '.length;
}
