#!/usr/bin/env node
// Prints how the Python reader does on its corpus against PyTorch's records
// (test/golden/python-corpus, written by scripts/make_python_corpus.py).
// Usage: npm run compile-tests && node scripts/python-corpus-measure.mjs [-v]
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { measureCorpus, formatMeasure } = require(path.join(root, 'out', 'test', 'unit', 'helpers', 'pythonCorpus.js'));
process.stdout.write(formatMeasure(measureCorpus(root), process.argv.includes('-v')));
