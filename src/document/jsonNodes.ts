/*
 * Small helpers over jsonc-parser's tree shared by the document readers (reader.ts,
 * trainReader.ts, fromCheckpoint.ts): a node's span, and a node's type in words for messages.
 * Layer: document. Imports only jsonc-parser types and document files.
 */
import type { Node } from 'jsonc-parser';
import type { Translate } from './messages';
import type { Span } from './types';

/** The node's text range (offsets into the document). */
export function spanOf(node: Node): Span {
  return { start: node.offset, end: node.offset + node.length };
}

/** What the node is, in words, for "must be a number (got ...)" messages. */
export function typeWords(node: Node, tr: Translate): string {
  switch (node.type) {
    case 'object': return tr('an object');
    case 'array': return tr('an array');
    case 'string': return tr('a string ({0})', JSON.stringify(node.value));
    case 'number': return tr('a number ({0})', String(node.value));
    case 'boolean': return `${node.value}`;
    case 'null': return 'null';
    default: return node.type;
  }
}
