import { isMap, isNode, isPair, isScalar, type LineCounter, type Node, type Scalar } from 'yaml';

export interface Position {
  line: number;
  column?: number;
}

type DocLike = { getIn(path: Iterable<unknown>, keepScalar: true): unknown };

/** The node at `path`, or the nearest ancestor that exists (a missing key points at its parent). */
export function nodeAt(doc: DocLike, path: readonly PropertyKey[]): Node | null {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? (doc as { contents?: unknown }).contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return node;
  }
  return null;
}

/** The key node of `key` inside the map at `path` (for "unknown key" problems). */
export function keyNodeAt(doc: DocLike, path: readonly PropertyKey[], key: string): Node | null {
  const map = path.length === 0 ? (doc as { contents?: unknown }).contents : doc.getIn(path, true);
  if (isMap(map)) {
    for (const item of map.items) {
      if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range)
        return item.key;
    }
  }
  return nodeAt(doc, path);
}

export function positionOf(node: Node | null, lc: LineCounter): Position {
  if (!node?.range) return { line: 1 };
  const p = lc.linePos(node.range[0]);
  return { line: p.line, column: p.col };
}

const ESCAPE_LENGTH: Record<string, number> = { x: 4, u: 6, U: 10 };

/**
 * Maps an offset inside a scalar's value back to an offset in the file, so a CEL error can point at
 * FILE:LINE:COLUMN. Handles single-line plain/quoted scalars and `|` blocks; null when folding makes it
 * ambiguous (the caller then reports the scalar's own line).
 */
export function valueOffsetToFileOffset(node: Scalar, text: string, offset: number): number | null {
  if (!node.range) return null;
  const start = node.range[0];
  const raw = text.slice(start, node.range[1]);
  switch (node.type) {
    case 'PLAIN':
      return raw.includes('\n') ? null : start + offset;
    case 'QUOTE_SINGLE':
    case 'QUOTE_DOUBLE': {
      let i = 1;
      for (let v = 0; v < offset; v++) {
        const ch = raw[i];
        if (ch === undefined || ch === '\n') return null;
        if (node.type === 'QUOTE_SINGLE' && ch === "'" && raw[i + 1] === "'") i += 2;
        else if (node.type === 'QUOTE_DOUBLE' && ch === '\\') i += ESCAPE_LENGTH[raw[i + 1] ?? ''] ?? 2;
        else i += 1;
      }
      return start + i;
    }
    case 'BLOCK_LITERAL': {
      const value = String(node.value);
      const before = value.slice(0, offset);
      const lineNo = before.split('\n').length - 1;
      const col = offset - (before.lastIndexOf('\n') + 1);
      const lines = raw.split('\n');
      const content = lines.slice(1);
      const first = content.find((l) => l.trim() !== '') ?? '';
      const indent = first.length - first.trimStart().length;
      let pos = start + lines[0]!.length + 1;
      for (let k = 0; k < lineNo; k++) pos += (content[k]?.length ?? 0) + 1;
      return pos + indent + col;
    }
    default:
      return null;
  }
}
