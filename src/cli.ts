/*
 * rnn-lens: the engine from a terminal. Reads an RNN document (a file, or `-` for standard
 * input) and prints JSON to standard output; problems go to standard error as
 * `FILE:LINE:COL: severity: message` (1-based), the format editors and CI understand.
 * Layer: cli (Node). The only file of the project that may import Node modules besides the
 * extension; everything it computes comes from src/document and src/engine.
 *
 * Exit codes: 0 success, 1 a bad document or a failed run, 2 bad usage.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { CheckpointError, formatInspect, inspectJson, openCheckpoint, type ByteSource, type Checkpoint } from './checkpoint/index';
import { readDocument } from './document/reader';
import {
  gradDocumentJson,
  initDocumentJson,
  shapesDocument,
  shapesText,
} from './document/commands';
import { DEFAULT_BUDGET, type Budget, type Diagnostic } from './document/types';
import { createDocumentTrainer, trainResultJson } from './document/train';
import type { Trainer } from './engine/train/types';
import pkg from '../package.json';
import { lintCommand } from './cliLint';
import { isPythonFile, pythonShapesCommand } from './cliShapes';
import { runDocumentThreaded } from './cliThreads';

const USAGE = `Usage: rnn-lens <command> [options] DOC

Runs an RNN document (*.rnn.json: JSON with comments allowed) the way PyTorch would.
DOC is a file path, or - to read standard input.

Commands:
  run DOC      print {"output", "h_n", "c_n" (LSTM), "head" (with a head)} as nested
               arrays in PyTorch's shapes
  grad DOC     print the gradients {"input", "h0", "c0", "state_dict"} of the loss
               sum(output*grad_output) + sum(h_n*grad_h_n) + sum(c_n*grad_c_n)
               + sum(head*grad_head), with grad_* from DOC's "backward" block (absent
               ones are zeros). h0/c0 appear when DOC gives them. state_dict keys are
               canonical PyTorch names (weight_ih_l0, head.weight), even when DOC wrote
               them with a prefix (rnn.weight_ih_l0, fc.weight).
  init DOC     print the parameters and input a run uses, {"state_dict", "input"}:
               drawn as torch.manual_seed(seed) would, then replaced by DOC's state_dict
  shapes DOC   print the shapes, parameters and FLOPs as JSON (--text for a table)
  shapes FILE.py|FILE.ipynb
               the nn.RNN/LSTM/GRU and cells a PyTorch file builds, their inputs and
               output shapes, read without running it (JSON)
  train DOC    train as DOC's "train" block says (PyTorch's loop: zero_grad, forward,
               loss, backward, clip_grad_norm_, step) and print {"loss", "grad_norm"}
               (one per step: the loss before the step's update, the gradient norm
               before clipping), "state_dict" (every parameter after the last step)
               and "notes". Progress goes to standard error when it is a terminal.
               Ctrl+C stops between two steps and still prints the steps done
               ("stopped": {"reason": "aborted", "step": k}; exit code 130). A NaN or
               inf loss stops at that step and keeps the last finite parameters.
               --precision float32 trains in PyTorch's float32 arithmetic (faster;
               within float32 rounding of PyTorch's float32 run; a note says so)
  inspect FILE print what a checkpoint holds (PyTorch .pt/.pth/.bin/.ckpt, legacy
               torch.save, .safetensors) as JSON: {"format", "tensors", "modules",
               "notes"}. Nothing in the file is run; no tensor data is decoded
  lint FILE    the classic PyTorch RNN mistakes in a Python file or notebook (.py,
               .ipynb), read without running it: FILE:LINE:COL: warning: MESSAGE
               [rnn-lens/CODE] (notebooks FILE#cellK:LINE:COL); exit 0 none, 1 some

Options:
  --text               shapes: a readable table instead of JSON
  --max-elements N     refuse runs holding more than N numbers (default ${DEFAULT_BUDGET.maxElements})
  --max-flops N        refuse runs needing more than N FLOPs (default ${DEFAULT_BUDGET.maxFlops})
  --threads N          run: use at most N threads (default 0: one per core; 1: one thread).
                       Only large batched runs (a batch that is a multiple of 4, 8 or more)
                       are split; the numbers are the same bits either way
  --precision P        train: float64 (default: follows PyTorch's float64 run) or
                       float32 (PyTorch's float32 arithmetic, parameters rounded to
                       float32 after every update, as PyTorch's float32 tensors are)
  -h, --help           show this help
  -v, --version        show the version

Notes (seed defaulted to 0, dropout ignored, ...) go to standard error as "note:" lines.
Exit codes: 0 ok, 1 bad document or failed run, 2 bad usage.
`;

type Command = 'run' | 'grad' | 'init' | 'shapes' | 'inspect' | 'lint' | 'train';
const COMMANDS: readonly Command[] = ['run', 'grad', 'init', 'shapes', 'inspect', 'lint', 'train'];

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => string;
  readFile: (path: string) => string;
  /** Random access to a binary file (checkpoints), reading only the ranges asked for. */
  openFile?: (path: string) => ByteSource & { close(): void };
  /** Standard error is a terminal: `train` shows its progress there. */
  stderrIsTTY?: boolean;
}

/** A `train` command whose document was read: the steps still to run (see runTrain). */
interface TrainTask {
  trainer: Trainer;
  notes: string[];
}

class UsageError extends Error {}

/**
 * Runs the CLI with `args` (without node and script); returns the exit code. `train` runs every
 * step here without yielding (mainAsync is the one that answers Ctrl+C).
 */
export function main(args: string[], io: Io): number {
  let r: number | TrainTask;
  try {
    r = mainGuarded(args, io);
  } finally {
    for (const f of openedFiles.splice(0)) f.close();
  }
  if (typeof r === 'number') return r;
  return trainSteps(r, io, { aborted: false }, false);
}

/**
 * Like main, but `train` yields to the event loop between slices of steps, so SIGINT (Ctrl+C)
 * is heard: the run stops before the next step and prints the steps done.
 */
export async function mainAsync(args: string[], io: Io, signal?: { readonly aborted: boolean }): Promise<number> {
  let r: number | TrainTask;
  try {
    r = mainGuarded(args, io);
  } finally {
    for (const f of openedFiles.splice(0)) f.close();
  }
  if (typeof r === 'number') return r;
  return trainSteps(r, io, signal ?? { aborted: false }, true);
}

/**
 * Run the remaining steps; print progress (terminal only), the JSON and the notes. With
 * `yieldEvery`, hands the event loop a turn about every 50 ms so a signal can be raised.
 */
function trainSteps(task: TrainTask, io: Io, signal: { readonly aborted: boolean }, yielding: true): Promise<number>;
function trainSteps(task: TrainTask, io: Io, signal: { readonly aborted: boolean }, yielding: false): number;
function trainSteps(task: TrainTask, io: Io, signal: { readonly aborted: boolean }, yielding: boolean): number | Promise<number> {
  const t = task.trainer;
  let lastProgress = 0;
  const progress = (final: boolean): void => {
    if (!io.stderrIsTTY) return;
    const now = Date.now();
    if (!final && now - lastProgress < 100) return;
    lastProgress = now;
    const r = t.result();
    const loss = r.loss.length > 0 ? r.loss[r.loss.length - 1].toPrecision(6) : '-';
    io.stderr(`\rstep ${t.stepsDone}/${t.stepsTotal}  loss ${loss}${final ? '\n' : ''}`);
  };
  const finish = (aborted: boolean): number => {
    progress(true);
    const r = t.result();
    if (aborted) {
      r.stopped = { reason: 'aborted', step: t.stepsDone };
      r.notes.push(`interrupted: stopped before step ${t.stepsDone + 1} of ${t.stepsTotal}; the loss, grad_norm and state_dict are those of the ${t.stepsDone} steps done`);
    }
    const out = trainResultJson(r, task.notes);
    for (const n of out.notes) io.stderr(`note: ${n}\n`);
    io.stdout(json(out as unknown as Record<string, unknown>));
    return aborted ? 130 : 0;
  };
  const slice = (): boolean => {
    const start = Date.now();
    while (t.stepsDone < t.stepsTotal && !t.stopped) {
      if (signal.aborted) return true;
      t.step();
      progress(false);
      if (yielding && Date.now() - start > 50) break;
    }
    return signal.aborted;
  };
  if (!yielding) return finish(slice());
  return (async () => {
    for (;;) {
      const aborted = slice();
      if (aborted) return finish(true);
      if (t.stepsDone >= t.stepsTotal || t.stopped) return finish(false);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  })();
}

/** Checkpoint files a document opened, closed when the command ends. */
const openedFiles: { close(): void }[] = [];

function mainGuarded(args: string[], io: Io): number | TrainTask {
  try {
    return mainUnsafe(args, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`rnn-lens: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    // Never a stack trace: one line saying what happened.
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`rnn-lens: error: ${message.split('\n')[0]}\n`);
    return 1;
  }
}

function mainUnsafe(args: string[], io: Io): number | TrainTask {
  let command: Command | undefined;
  let file: string | undefined;
  let text = false;
  let threads: number | undefined;
  let precision: 'float64' | 'float32' | undefined;
  const budget: Budget = { ...DEFAULT_BUDGET };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '-h' || a === '--help') {
      io.stdout(USAGE);
      return 0;
    }
    if (a === '-v' || a === '--version') {
      io.stdout(`${pkg.version}\n`);
      return 0;
    }
    if (a === '--text') { text = true; continue; }
    if (a === '--max-elements' || a === '--max-flops') {
      const v = Number(args[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${a} needs a positive number`);
      if (a === '--max-elements') budget.maxElements = v;
      else budget.maxFlops = v;
      continue;
    }
    if (a === '--threads') {
      const v = Number(args[++i]);
      if (!Number.isInteger(v) || v < 0 || v > 1024) throw new UsageError('--threads needs a whole number from 0 (one per core) to 1024');
      threads = v;
      continue;
    }
    if (a === '--precision') {
      const v = args[++i];
      if (v !== 'float64' && v !== 'float32') throw new UsageError(`--precision needs float64 or float32${v === undefined ? '' : `, got ${JSON.stringify(v)}`}`);
      precision = v;
      continue;
    }
    if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    if (!command) {
      if (!(COMMANDS as readonly string[]).includes(a)) throw new UsageError(`unknown command ${JSON.stringify(a)}: use run, grad, init, shapes, train, inspect or lint`);
      command = a as Command;
    } else if (file === undefined) {
      file = a;
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(a)}: give one document`);
    }
  }
  if (!command) throw new UsageError('missing command');
  if (file === undefined) throw new UsageError(`missing document: rnn-lens ${command} DOC (or - for standard input)`);
  if (text && command !== 'shapes') throw new UsageError('--text is an option of shapes');
  if (threads !== undefined && command !== 'run') throw new UsageError('--threads is an option of run');
  if (precision !== undefined && command !== 'train') throw new UsageError('--precision is an option of train');
  if (command === 'inspect') return inspectFile(file, budget, io);
  if (command === 'lint') return lintCommand(file, io);
  if (command === 'shapes' && isPythonFile(file)) return pythonShapesCommand(file, io);

  const name = file === '-' ? '<stdin>' : file;
  let source: string;
  try {
    source = file === '-' ? io.readStdin() : io.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error)?.message;
    io.stderr(`${name}: error: cannot read the document: ${why}\n`);
    return 1;
  }
  if (source.charCodeAt(0) === 0xfeff) source = ' ' + source.slice(1); // a BOM: keep offsets, drop the mark

  // "state_dict": {"from": PATH}: PATH is relative to the document (to the working directory for stdin).
  const checkpoints = new Map<string, Checkpoint>();
  const checkpoint = (from: string): Checkpoint => {
    const at = resolvePath(file === '-' ? '.' : dirname(file), from);
    let c = checkpoints.get(at);
    if (c) return c;
    try {
      const src = (io.openFile ?? fileSource)(at);
      openedFiles.push(src);
      c = openCheckpoint(src, { maxElements: budget.maxElements });
    } catch (e) {
      throw new CheckpointError(fileErrorWords(e));
    }
    checkpoints.set(at, c);
    return c;
  };
  const read = readDocument(source, { budget, checkpoint });
  const lines = lineStarts(source);
  for (const d of read.diagnostics) {
    io.stderr(formatDiagnostic(name, source, lines, d));
  }
  if (!read.document) return 1;
  const doc = read.document;

  const notes = (ns: string[]) => { for (const n of ns) io.stderr(`note: ${n}\n`); };
  switch (command) {
    case 'run': {
      const r = runDocumentThreaded(doc, threads ?? 0);
      notes(r.notes);
      io.stdout(json(r.result as unknown as Record<string, unknown>));
      return 0;
    }
    case 'grad': {
      const r = gradDocumentJson(doc);
      notes(r.notes);
      io.stdout(json(r.result as unknown as Record<string, unknown>));
      return 0;
    }
    case 'init': {
      const r = initDocumentJson(doc);
      notes(r.notes);
      io.stdout(json(r.result as unknown as Record<string, unknown>));
      return 0;
    }
    case 'shapes': {
      const report = shapesDocument(doc);
      io.stdout(text ? shapesText(doc, report) : JSON.stringify(report, null, 2) + '\n');
      return 0;
    }
    case 'train': {
      if (!doc.train) {
        io.stderr(`${name}:1:1: error: the document has no "train" block: add one such as "train": {"loss": "mse", "target": [...], "optimizer": {"type": "Adam", "lr": 0.01}, "steps": 100}\n`);
        return 1;
      }
      // The printed JSON's fields are fixed by the spec (loss, grad_norm, state_dict, notes): a float32 run says so in a note.
      const made = createDocumentTrainer(doc, { precision });
      return { trainer: made.trainer, notes: made.notes };
    }
  }
}

/** `rnn-lens inspect FILE`: what the checkpoint holds; a file it cannot read is one line on stderr, exit 1. */
function inspectFile(file: string, budget: Budget, io: Io): number {
  if (file === '-') throw new UsageError('inspect reads a file, not standard input');
  let src: (ByteSource & { close(): void }) | undefined;
  try {
    src = (io.openFile ?? fileSource)(file);
    const checkpoint = openCheckpoint(src, { maxElements: budget.maxElements });
    io.stdout(formatInspect(inspectJson(checkpoint)));
    return 0;
  } catch (e) {
    io.stderr(`${file}: error: ${fileErrorWords(e)}\n`);
    return 1;
  } finally {
    src?.close();
  }
}

/** One line for a file that cannot be opened or read. */
function fileErrorWords(e: unknown): string {
  if (e instanceof CheckpointError) return e.message;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES') return 'permission denied';
  if (e instanceof RangeError) return `the file cannot be read: ${e.message}`;
  return `cannot read the file: ${String((e as Error)?.message ?? e).split('\n')[0]}`;
}

/** A ByteSource over a file descriptor: only the ranges asked for are read (a 500 MB file is never read whole). */
export function fileSource(path: string): ByteSource & { close(): void } {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const size = st.size;
    return {
      size,
      read(offset: number, length: number): Uint8Array {
        if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
          throw new CheckpointError(`the file is truncated or corrupt: a read at byte ${offset} (${length} bytes) lies outside the file (${size} bytes)`);
        }
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const n = readSync(fd, out, done, length - done, offset + done);
          if (n <= 0) throw new CheckpointError('the file changed while it was read');
          done += n;
        }
        return out;
      },
      close() { closeSync(fd); },
    };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** One key per line, each value compact: readable, and still one JSON document. */
function json(obj: Record<string, unknown>): string {
  const parts = Object.entries(obj).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${parts.join(',\n')}\n}\n`;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}

/** `FILE:LINE:COL: severity: message`, LINE and COL 1-based (COL in UTF-16 units, as editors count). */
export function formatDiagnostic(file: string, text: string, starts: number[], d: Diagnostic): string {
  let lo = 0;
  let hi = starts.length - 1;
  const at = Math.min(d.span.start, text.length);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return `${file}:${lo + 1}:${at - starts[lo] + 1}: ${d.severity}: ${d.message}\n`;
}

if (require.main === module) {
  // `rnn-lens run DOC | head`: a closed pipe is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    process.stderr.write(`rnn-lens: error: cannot write the output: ${e.message}\n`);
    process.exit(1);
  });
  const io: Io = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: () => readFileSync(0, 'utf8'),
    readFile: (p) => readFileSync(p, 'utf8'),
  };
  io.stderrIsTTY = process.stderr.isTTY === true;
  // Ctrl+C during `train`: stop before the next step and print what was done (a second Ctrl+C exits at once).
  // Only for train: other commands keep Ctrl+C's default (exit at once).
  const interrupt = { aborted: false };
  if (process.argv.slice(2).find((a) => !a.startsWith('-')) === 'train') {
    process.on('SIGINT', () => {
      if (interrupt.aborted) process.exit(130);
      interrupt.aborted = true;
    });
  }
  mainAsync(process.argv.slice(2), io, interrupt).then(
    (code) => { process.exitCode = code; process.removeAllListeners('SIGINT'); },
    () => { process.stderr.write('rnn-lens: internal error\n'); process.exitCode = 1; process.removeAllListeners('SIGINT'); },
  );
}
