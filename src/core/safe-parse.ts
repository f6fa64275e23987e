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
  Parser,
  visit,
  type CST,
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
  // Recursive walk (depth is capped, so the stack is too): no per-node allocation (for-in, not
  // Object.keys: the objects JSON.parse makes have only own, enumerable keys).
  const walk = (node: object, depth: number): void => {
    if (depth > maxDepth) {
      throw new VouchError('JSON_INVALID', `${source}: nesting deeper than ${maxDepth} levels`);
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const item: unknown = node[i];
        if (item !== null && typeof item === 'object') walk(item, depth + 1);
      }
      return;
    }
    for (const key in node) {
      if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
        throw new VouchError('UNSAFE_KEY', `${source}: key "${key}" is not allowed`);
      }
      const child = (node as Record<string, unknown>)[key];
      if (child !== null && typeof child === 'object') walk(child, depth + 1);
    }
  };
  if (value !== null && typeof value === 'object') walk(value, 0);
  return value;
}

/** Offset of the first node nested deeper than maxDepth, read off the CST without recursion. */
function tooDeepAt(text: string, maxDepth: number): number | undefined {
  for (const top of new Parser().parse(text)) {
    if (top.type !== 'document' || !top.value) continue;
    const stack: [CST.Token, number][] = [[top.value, 0]];
    while (stack.length > 0) {
      const [token, level] = stack.pop()!;
      if (level > maxDepth) return token.offset;
      if (
        token.type !== 'block-map' &&
        token.type !== 'block-seq' &&
        token.type !== 'flow-collection'
      )
        continue;
      for (let i = token.items.length - 1; i >= 0; i--) {
        const item = token.items[i]!;
        if (item.value) stack.push([item.value, level + 1]);
        if (item.key) stack.push([item.key, level + 1]);
      }
    }
  }
  return undefined;
}

/** Throws the depth-cap error for a document the yaml library could not compose (stack overflow). */
function throwTooDeep(text: string, source: string, maxDepth: number, cause: unknown): never {
  const offset = tooDeepAt(text, maxDepth);
  let at = '';
  if (offset !== undefined) {
    const before = text.slice(0, offset);
    at = `:${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
  }
  throw new VouchError('YAML_INVALID', `${source}${at}: nesting deeper than ${maxDepth} levels`, {
    cause,
  });
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
    if (error instanceof RangeError) throwTooDeep(text, source, maxDepth, error);
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
  // The yaml composer recurses once per level and records a stack overflow (from about 1,000
  // levels) as an error of the document; report it as the depth cap it is.
  if (first && /call stack/i.test(first.message)) throwTooDeep(text, source, maxDepth, first);
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

/**
 * A fast path for the plain block YAML that control files (exceptions, policy) are written in:
 * block mappings with plain keys, block sequences of mappings or scalars, plain, single- or
 * double-quoted scalars without escapes, `[]`, `{}` and comments. It resolves scalars as the core
 * schema does, and gives `undefined` for anything else (anchors, aliases, tags, flow collections,
 * multi-line scalars, escapes, tabs, CR, control characters, directives, duplicate or unsafe keys,
 * odd indentation, numbers other than decimal integers, …), so that the full parser, with every
 * check, decides those. It never refuses anything itself.
 */
interface FastPos {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}
type FastNode =
  | { readonly kind: 'map'; readonly start: FastPos; readonly pairs: Map<string, FastPair> }
  | { readonly kind: 'seq'; readonly start: FastPos; readonly items: FastNode[] }
  | { readonly kind: 'scalar'; readonly start: FastPos };
interface FastPair {
  readonly key: FastPos;
  readonly value: FastNode | undefined;
}
interface FastLine {
  readonly indent: number;
  /** Text after the indentation, comment-free lines only. */
  readonly content: string;
  readonly line: number;
  readonly offset: number;
}

// Printable characters YAML allows unescaped, minus tab, CR, BOM, anything astral and the
// Unicode spaces (which JavaScript trims and YAML does not).
const FAST_TEXT_OK =
  /^[\n\u0020-\u007e\u00a1-\u167f\u1681-\u1fff\u200b-\u2027\u202a-\u202e\u2030-\u205e\u2060-\u2fff\u3001-\ud7ff\ue000-\ufefe\uff00-\ufffd]*$/;
const FAST_KEY_NOT_STRING = /^(?:[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const FAST_KEY = /^([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)/;
const FAST_PLAIN_FIRST = /^[^-?:,[\]{}#&*!|>'"%@`\s]/;
// The core schema's non-string plain scalars (yaml's core tags): left to the full parser, except
// the decimal integers handled below.
const CORE_NON_STRING = [
  /^(?:~|[Nn]ull|NULL)$/,
  /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  /^0o[0-7]+$/,
  /^[-+]?[0-9]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

/** One scalar or empty flow collection after `key: ` or `- `; undefined when not in the subset. */
function fastScalar(text: string): { value: unknown } | undefined {
  let v = text;
  const c = v.charCodeAt(0);
  if (c === 0x22 /* " */ || c === 0x27 /* ' */) {
    const q = v[0]!;
    const end = v.indexOf(q, 1);
    if (end < 0) return undefined;
    const body = v.slice(1, end);
    if (q === '"' && body.includes('\\')) return undefined;
    const rest = v.slice(end + 1);
    if (rest !== '' && !/^ +(?:#.*)?$/.test(rest)) return undefined;
    return { value: body };
  }
  const hash = v.indexOf(' #');
  if (hash >= 0) v = v.slice(0, hash);
  v = v.trimEnd();
  if (v === '[]') return { value: [] };
  if (v === '{}') return { value: {} };
  if (!FAST_PLAIN_FIRST.test(v)) return undefined;
  if (v.includes(': ') || v.endsWith(':') || v.includes('#')) return undefined;
  // Every non-string form starts with one of these characters.
  if (/^[-+.0-9~nNtTfF]/.test(v) && CORE_NON_STRING.some((re) => re.test(v))) {
    if (/^[0-9]{1,15}$/.test(v)) return { value: Number(v) };
    return undefined;
  }
  return { value: v };
}

const UNSUPPORTED = Symbol('unsupported');

function parseFastBlocks(
  text: string,
  maxNodes: number,
  maxDepth: number,
): { value: unknown; root: FastNode } | undefined {
  if (!FAST_TEXT_OK.test(text)) return undefined;
  const lines: FastLine[] = [];
  let offset = 0;
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const indent = raw.length - raw.trimStart().length;
    const content = raw.slice(indent).trimEnd();
    if (content !== '' && content[0] !== '#') {
      if (indent === 0 && /^(?:---|\.\.\.|%)/.test(content)) return undefined;
      lines.push({ indent, content, line: lineNo, offset: offset + indent });
    }
    offset += raw.length + 1;
  }
  if (lines.length === 0) return undefined;
  let i = 0;
  let nodes = 0;
  const fail = (): never => {
    throw UNSUPPORTED;
  };
  const pos = (l: FastLine, col = 0): FastPos => ({
    offset: l.offset + col,
    line: l.line,
    column: l.indent + col + 1,
  });
  // A mapping whose first key is at column `col` of lines[i] (after `- ` when inItem).
  const parseMap = (indent: number, first: string, depth: number): [unknown, FastNode] => {
    if (depth > maxDepth - 2) fail();
    nodes++;
    const value: Record<string, unknown> = {};
    const startLine = lines[i]!;
    const startCol = startLine.content.length - first.length;
    const node: FastNode = {
      kind: 'map',
      start: pos(startLine, startCol),
      pairs: new Map(),
    };
    let content = first;
    for (;;) {
      const l = lines[i]!;
      const col = l.content.length - content.length;
      const m = FAST_KEY.exec(content);
      if (!m) fail();
      const key = m![1]!;
      if (UNSAFE_KEYS.has(key) || FAST_KEY_NOT_STRING.test(key) || node.pairs.has(key)) fail();
      nodes += 2;
      const rest = content.slice(m![0].length);
      const keyPos = pos(l, col);
      i++;
      if (rest !== '') {
        if (rest[0] === '#') {
          // `key: # comment`: the value is on the next lines, or null.
        } else {
          const s = fastScalar(rest);
          if (!s) fail();
          value[key] = s!.value;
          node.pairs.set(key, {
            key: keyPos,
            value: { kind: 'scalar', start: pos(l, col + m![0].length) },
          });
          if (i >= lines.length || lines[i]!.indent !== indent) break;
          content = lines[i]!.content;
          continue;
        }
      }
      const n = lines[i];
      if (n && n.indent > indent) {
        const [v, child] = parseBlock(n.indent, depth + 1);
        value[key] = v;
        node.pairs.set(key, { key: keyPos, value: child });
      } else if (n && n.indent === indent && n.content.startsWith('- ')) {
        // A sequence as a mapping value may sit at the key's own indentation.
        const [v, child] = parseSeq(indent, depth + 1);
        value[key] = v;
        node.pairs.set(key, { key: keyPos, value: child });
      } else {
        value[key] = null;
        node.pairs.set(key, { key: keyPos, value: undefined });
      }
      if (i >= lines.length || lines[i]!.indent !== indent) break;
      content = lines[i]!.content;
      if (content.startsWith('- ')) break;
    }
    return [value, node];
  };
  const parseSeq = (indent: number, depth: number): [unknown, FastNode] => {
    if (depth > maxDepth - 2) fail();
    nodes++;
    const value: unknown[] = [];
    const node: FastNode = { kind: 'seq', start: pos(lines[i]!), items: [] };
    while (i < lines.length && lines[i]!.indent === indent && lines[i]!.content.startsWith('- ')) {
      const l = lines[i]!;
      const after = l.content.slice(2);
      const itemContent = after.trimStart();
      const itemIndent = l.indent + 2 + (after.length - itemContent.length);
      if (itemContent === '' || itemContent.startsWith('#') || itemContent.startsWith('- ')) fail();
      if (FAST_KEY.test(itemContent)) {
        const [v, child] = parseMap(itemIndent, itemContent, depth + 1);
        value.push(v);
        node.items.push(child);
      } else {
        const s = fastScalar(itemContent);
        if (!s) fail();
        nodes++;
        value.push(s!.value);
        node.items.push({ kind: 'scalar', start: pos(l, itemIndent - l.indent) });
        i++;
      }
    }
    return [value, node];
  };
  const parseBlock = (indent: number, depth: number): [unknown, FastNode] => {
    const l = lines[i]!;
    if (l.content.startsWith('- ')) return parseSeq(indent, depth);
    if (FAST_KEY.test(l.content)) return parseMap(indent, l.content, depth);
    return fail();
  };
  try {
    if (lines[0]!.indent !== 0) return undefined;
    const [value, root] = parseBlock(0, 0);
    // Every line consumed, and comfortably inside the node cap (the full parser counts exactly).
    if (i !== lines.length || nodes > maxNodes / 2) return undefined;
    return { value, root };
  } catch (error) {
    if (error === UNSUPPORTED) return undefined;
    throw error;
  }
}

/**
 * The fast path alone: the parsed value and positions when `text` is in the plain block subset,
 * undefined when the full parser must decide. (Size is not checked here.)
 */
export function parseYamlFastPath(text: string, limits: ParseLimits = {}): ParsedYaml | undefined {
  const fast = parseFastBlocks(
    text,
    limits.maxNodes ?? DEFAULTS.maxNodes,
    limits.maxDepth ?? DEFAULTS.maxDepth,
  );
  if (!fast) return undefined;
  const { value, root } = fast;
  return {
    value,
    locate(path) {
      let node: FastNode | undefined = root;
      let at: FastPos = root.start;
      for (const seg of path) {
        if (node?.kind === 'map' && typeof seg === 'string') {
          const pair: FastPair | undefined = node.pairs.get(seg);
          if (!pair) break;
          at = pair.key;
          node = pair.value;
        } else if (node?.kind === 'seq' && typeof seg === 'number') {
          const item: FastNode | undefined = node.items[seg];
          if (!item) break;
          at = item.start;
          node = item;
        } else break;
      }
      return { line: at.line, column: at.column };
    },
  };
}

/**
 * parseYamlSafe with the fast path first: the same value and positions for plain block YAML, and
 * the full parser (with every check) for anything else.
 */
export function parseYamlSafeFast(
  text: string,
  source: string,
  limits: ParseLimits = {},
): ParsedYaml {
  checkSize(text, source, limits.maxBytes ?? DEFAULTS.maxBytes);
  return parseYamlFastPath(text, limits) ?? parseYamlSafe(text, source, limits);
}
