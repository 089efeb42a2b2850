/*
 * The lint rules, one per file, in the order of the table in python-snippets.md.
 * Layer: python (pure).
 */
import type { LintRule } from './context';
import { inputSizeMismatch } from './inputSizeMismatch';
import { hiddenShapeMismatch } from './hiddenShapeMismatch';
import { bidirectionalLastStep } from './bidirectionalLastStep';
import { lastStepWrongAxis } from './lastStepWrongAxis';
import { hNViewMixesBatch } from './hNViewMixesBatch';
import { dropoutSingleLayer } from './dropoutSingleLayer';
import { rnnOutputTuple } from './rnnOutputTuple';
import { packedLastStep } from './packedLastStep';
import { hiddenNotDetached } from './hiddenNotDetached';
import { cellFedSequence } from './cellFedSequence';

export const RULES: readonly LintRule[] = [
  inputSizeMismatch,
  hiddenShapeMismatch,
  bidirectionalLastStep,
  lastStepWrongAxis,
  hNViewMixesBatch,
  dropoutSingleLayer,
  rnnOutputTuple,
  packedLastStep,
  hiddenNotDetached,
  cellFedSequence,
];

export * from './context';
