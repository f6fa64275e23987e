/**
 * Parsing files we did not write (THREATS 37–38): JSON and YAML with byte, depth, node and alias
 * caps, no custom tags, and no `__proto__` / `constructor` / `prototype` keys anywhere.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
} from 'yaml';
import { VouchError } from '../errors.ts';

export interface ParseLimits {
  /** Bytes of UTF-8 text (default 8 MiB). */
  readonly maxBytes?: number;
  /** Nesting depth of maps and lists (default 64). */
  readonly maxDepth?: number;
  /** YAML nodes (default 200,000). */
  readonly maxNodes?: number;
  /** YAML alias uses (default 50). */
  readonly maxAliases?: number;
}

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export type PathSegment = string | number;

export interface ParsedYaml {
  readonly value: unknown;
  /** Position of the node at `path` (a map key's position when the last segment is a key). */
  locate(path: readonly PathSegment[]): Position | undefined;
}

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const DEFAULTS = { maxBytes: 8 * 1024 * 1024, maxDepth: 64, maxNodes: 200_000, maxAliases: 50 };
const STANDARD_TAGS = new Set([
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
]);

export function isUnsafeKey(key: string): boolean {
  return UNSAFE_KEYS.has(key);
}

function checkSize(text: string, source: string, maxBytes: number): void {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: count bytes only when the length cannot decide.
  if (
    text.length > maxBytes ||
    (text.length * 3 > maxBytes && Buffer.byteLength(text, 'utf8') > maxBytes)
  ) {
    throw new VouchError('FILE_TOO_LARGE', `${source} is larger than ${maxBytes} bytes`);
  }
}

/** Parses JSON, then walks it once: depth cap and unsafe keys. */
export function parseJsonSafe(text: string, source: string, limits: ParseLimits = {}): unknown {
  const maxBytes = limits.maxBytes ?? DEFAULTS.maxBytes;
  const maxDepth = limits.maxDepth ?? DEFAULTS.maxDepth;
  checkSize(text, source, maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new VouchError('JSON_INVALID', `${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  // Recursive walk (depth is capped, so the stack is too): no per-node allocation.
  const walk = (node: object, depth: number): void => {
    if (depth > maxDepth) {
      throw new VouchError('JSON_INVALID', `${source}: nesting deeper than ${maxDepth} levels`);
    }
    if (Array.isArray(node)) {
      for (const item of node as unknown[])
        if (item !== null && typeof item === 'object') walk(item, depth + 1);
      return;
    }
    for (const key of Object.keys(node)) {
      if (UNSAFE_KEYS.has(key)) {
        throw new VouchError('UNSAFE_KEY', `${source}: key "${key}" is not allowed`);
      }
      const child = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') walk(child, depth + 1);
    }
  };
  if (value !== null && typeof value === 'object') walk(value, 0);
  return value;
}

/**
 * Parses one YAML document with the core schema (no timestamps, no merge keys), refusing custom
 * tags, unsafe keys, too many aliases, nodes or levels. Errors carry line and column.
 */
export function parseYamlSafe(text: string, source: string, limits: ParseLimits = {}): ParsedYaml {
  const maxBytes = limits.maxBytes ?? DEFAULTS.maxBytes;
  const maxDepth = limits.maxDepth ?? DEFAULTS.maxDepth;
  const maxNodes = limits.maxNodes ?? DEFAULTS.maxNodes;
  const maxAliases = limits.maxAliases ?? DEFAULTS.maxAliases;
  checkSize(text, source, maxBytes);
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, {
      lineCounter,
      schema: 'core',
      merge: false,
      uniqueKeys: true,
      strict: true,
      prettyErrors: false,
      customTags: [],
      resolveKnownTags: false,
    });
  } catch (error) {
    throw new VouchError('YAML_INVALID', `${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const where = (offset: number | undefined): string => {
    if (offset === undefined) return source;
    const p = lineCounter.linePos(offset);
    return `${source}:${p.line}:${p.col}`;
  };
  const first = doc.errors[0];
  if (first) {
    const duplicate = first.code === 'DUPLICATE_KEY';
    throw new VouchError(
      'YAML_INVALID',
      `${where(first.pos[0])}: ${duplicate ? 'duplicate key' : first.message.split('\n')[0]}`,
      { cause: first },
    );
  }
  let nodes = 0;
  let aliases = 0;
  visit(doc, {
    Alias(_key, node) {
      aliases++;
      if (aliases > maxAliases) {
        throw new VouchError(
          'YAML_INVALID',
          `${where(node.range?.[0])}: more than ${maxAliases} aliases`,
        );
      }
    },
    Node(_key, node, path) {
      nodes++;
      if (nodes > maxNodes) {
        throw new VouchError(
          'YAML_INVALID',
          `${where(node.range?.[0])}: more than ${maxNodes} nodes`,
        );
      }
      const depth = path.filter((p) => isMap(p) || isSeq(p)).length;
      if (depth > maxDepth) {
        throw new VouchError(
          'YAML_INVALID',
          `${where(node.range?.[0])}: nesting deeper than ${maxDepth} levels`,
        );
      }
      if (node.tag !== undefined && !STANDARD_TAGS.has(node.tag)) {
        throw new VouchError(
          'YAML_INVALID',
          `${where(node.range?.[0])}: custom tag ${node.tag} is not allowed`,
        );
      }
    },
    Pair(_key, pair) {
      const k = isScalar(pair.key) ? pair.key.value : undefined;
      if (typeof k === 'string' && UNSAFE_KEYS.has(k)) {
        const at = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
        throw new VouchError('UNSAFE_KEY', `${where(at)}: key "${k}" is not allowed`);
      }
      if (pair.key !== null && !isScalar(pair.key)) {
        throw new VouchError(
          'YAML_INVALID',
          `${where(undefined)}: complex mapping keys are not allowed`,
        );
      }
    },
  });
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: maxAliases });
  } catch (error) {
    throw new VouchError('YAML_INVALID', `${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return {
    value,
    locate(path) {
      let node: unknown = doc.contents;
      let offset: number | undefined = (doc.contents as { range?: [number] } | null)?.range?.[0];
      for (const seg of path) {
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
          if (!pair) break;
          offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
          node = pair.value;
        } else if (isSeq(node) && typeof seg === 'number') {
          const item = node.items[seg] as { range?: [number] } | undefined;
          if (!item) break;
          offset = item.range?.[0] ?? offset;
          node = item;
        } else break;
      }
      if (offset === undefined) return undefined;
      const p = lineCounter.linePos(offset);
      return { line: p.line, column: p.col };
    },
  };
}
