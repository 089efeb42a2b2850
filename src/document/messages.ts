/*
 * The document layer's message catalogue: every message the reader, resolve and nested code
 * emits is an English template with {0}, {1} placeholders (vscode.l10n.t's convention), passed
 * through a translator. The CLI and the library use `english`; the extension passes
 * (template, ...args) => vscode.l10n.t(template, ...args), which looks the template up in
 * l10n/bundle.l10n.ja.json. Templates are written as string literals at the call (`tr('...')`)
 * so a unit test can scan the sources and check that each one has its Japanese.
 * Layer: document. Imports nothing; no vscode, no DOM, no Node.
 *
 * PyTorch's own sentences (shape errors, load_state_dict, warnings) stay verbatim inside the
 * templates, and their Japanese keeps them verbatim too (listed in PYTORCH_SENTENCES, checked
 * by test/unit/l10n.test.ts), so a user can search the web for the message whatever the language.
 */

/** A translator with vscode.l10n.t's calling convention: English template, then its arguments. */
export type Translate = (template: string, ...args: (string | number)[]) => string;

/** No translation: fills the {n} placeholders, as vscode.l10n.t does for the default language. */
export const english: Translate = (template, ...args) =>
  template.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));

/**
 * PyTorch's sentences as they appear inside the templates (same placeholders). Every
 * translation of a template containing one of them must contain it unchanged.
 */
export const PYTORCH_SENTENCES: readonly string[] = [
  '{0}: Expected input to be 2-D or 3-D but received {1}-D tensor',
  'input.size(-1) must be equal to input_size. Expected {0}, got {1}',
  'size mismatch for {0}: copying a param with shape {1} from checkpoint, the shape in current model is {2}.',
  'Unexpected key(s) in state_dict: "{0}".',
  'Missing key(s) in state_dict: {0}.',
  'For batched 3-D input, hx should also be 3-D but got {0}-D tensor',
  'For unbatched 2-D input, hx should also be 2-D but got {0}-D tensor',
  'Expected {0} size {1}, got {2}',
  'Mismatch in shape: {0} has a shape of {1} and {2} has a shape of {3}.',
  'dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout={0} and num_layers=1',
  "unexpected keyword argument 'nonlinearity'",
  'Unknown nonlinearity {0}',
  'proj_size argument is only supported for LSTM, not RNN or GRU',
  'proj_size has to be smaller than hidden_size',
  'mat1 and mat2 shapes cannot be multiplied (Nx{0} and {2}x{3})',
  'expected sequence of length {1} at dim {2} (got {3})',
  'expected sequence of length {0} at dim {1} (got {2})',
  // Cells (nn.RNNCell / LSTMCell / GRUCell): their forward's checks and constructor.
  '{0}: Expected input to be 1-D or 2-D but received {1}-D tensor',
  'input has inconsistent input_size: got {0} expected {1}',
  '{0} has inconsistent hidden_size: got {1}, expected {2}',
  "Input batch size {0} doesn't match {1} batch size {2}",
  "__init__() got an unexpected keyword argument '{0}'",
  // Training (train block, embedding): torch.optim constructors, nn.CrossEntropyLoss, nn.MSELoss, nn.Embedding.
  'Target {0} is out of bounds.',
  'Invalid learning rate: {0}',
  'Invalid weight_decay value: {0}',
  'Invalid momentum value: {0}',
  'Invalid epsilon value: {0}',
  'Invalid beta parameter at index {0}: {1}',
  'Nesterov momentum requires a momentum and zero dampening',
  "parameter group didn't specify a value of required optimization parameter lr",
  "__init__() got an unexpected keyword argument '{1}'",
  'index out of range in self',
  'Using a target size (torch.Size({0})) that is different to the input size (torch.Size({1})). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
];
