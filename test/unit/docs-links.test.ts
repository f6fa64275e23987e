/**
 * Documentation links cannot rot: every relative Markdown link in README.md, docs/*.md and
 * actions/NAME/README.md, and every `docs/NAME.md[#anchor]` reference in those files and in the
 * source (src/, scripts/), must name an existing file and, when an anchor is given, a heading of
 * that file (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens, `-1`, `-2` for
 * repeats).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** GitHub's heading slug (github-slugger) of a heading's text, before de-duplication. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1') // images: their alt text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // links: their text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Lines outside fenced code blocks, with their kind. */
function proseLines(markdown: string): string[] {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const m = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (fence === undefined) fence = m[1]![0]!.repeat(m[1]!.length);
      else if (m[1]!.startsWith(fence)) fence = undefined;
      out.push('');
      continue;
    }
    out.push(fence === undefined ? line : '');
  }
  return out;
}

/** The anchors a Markdown file defines: heading slugs (numbered when repeated) and HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  const add = (heading: string): void => {
    const base = slug(heading);
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  };
  const lines = proseLines(markdown);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const atx = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+\s*)?$/.exec(line);
    if (atx) {
      add(atx[1]!);
      continue;
    }
    const next = lines[i + 1];
    if (
      next !== undefined &&
      /^\s{0,3}(=+|-+)\s*$/.test(next) &&
      line.trim() !== '' &&
      !/^\s*([|>*+-]|\d+\.)/.test(line)
    ) {
      add(line);
      i++;
      continue;
    }
    for (const m of line.matchAll(/<a\s[^>]*(?:id|name)="([^"]+)"/g)) anchors.add(m[1]!);
  }
  return anchors;
}

interface Reference {
  readonly from: string;
  readonly line: number;
  readonly target: string;
  /** Absolute path of the file the reference names. */
  readonly path: string;
  readonly anchor?: string;
}

const DOCS_REF = /\bdocs\/([A-Za-z0-9_.-]+\.md)(?:#([A-Za-z0-9_-]+))?/g;

/** `docs/NAME.md[#anchor]` mentions anywhere in a file's text (links, prose, code, URLs). */
function docsReferences(file: string, text: string): Reference[] {
  const refs: Reference[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const m of line.matchAll(DOCS_REF)) {
      refs.push({
        from: file,
        line: i + 1,
        target: m[0],
        path: join(ROOT, 'docs', m[1]!),
        ...(m[2] ? { anchor: m[2] } : {}),
      });
    }
  });
  return refs;
}

/** Relative links and images of a Markdown file (outside code blocks and code spans). */
function markdownLinks(file: string, text: string): Reference[] {
  const refs: Reference[] = [];
  proseLines(text).forEach((raw, i) => {
    const line = raw.replace(/(`+)(?:(?!\1).)+?\1/g, '');
    const targets = [
      ...[...line.matchAll(/\]\(\s*<([^>]+)>[^)]*\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/\]\(\s*([^)\s<]+)(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/^\s{0,3}\[[^\]]+\]:\s+<?([^>\s]+)>?/g)].map((m) => m[1]!),
    ];
    for (const target of targets) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
      const hash = target.indexOf('#');
      const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const path =
        pathPart === ''
          ? file
          : pathPart.startsWith('/')
            ? join(ROOT, pathPart)
            : resolve(dirname(file), pathPart);
      refs.push({ from: file, line: i + 1, target, path, ...(anchor ? { anchor } : {}) });
    }
  });
  return refs;
}

function markdownFiles(): string[] {
  const files = [join(ROOT, 'README.md')];
  for (const f of readdirSync(join(ROOT, 'docs'))) {
    if (f.endsWith('.md')) files.push(join(ROOT, 'docs', f));
  }
  for (const a of readdirSync(join(ROOT, 'actions'))) {
    const readme = join(ROOT, 'actions', a, 'README.md');
    if (existsSync(readme)) files.push(readme);
  }
  return files;
}

function sourceFiles(): string[] {
  const files: string[] = [];
  for (const dir of ['src', 'scripts']) {
    for (const f of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (f.endsWith('.ts')) files.push(join(ROOT, dir, f));
    }
  }
  return files;
}

const anchorCache = new Map<string, Set<string>>();
function anchorsOfFile(path: string): Set<string> {
  let anchors = anchorCache.get(path);
  if (!anchors) {
    anchors = anchorsOf(readFileSync(path, 'utf8'));
    anchorCache.set(path, anchors);
  }
  return anchors;
}

/** Why a reference does not resolve, or undefined when it does. */
function problem(ref: Reference): string | undefined {
  if (!existsSync(ref.path)) return `${relative(ROOT, ref.path)} does not exist`;
  if (ref.anchor === undefined) return undefined;
  if (!ref.path.endsWith('.md') || statSync(ref.path).isDirectory()) return undefined;
  if (anchorsOfFile(ref.path).has(ref.anchor)) return undefined;
  return `${relative(ROOT, ref.path)} has no heading #${ref.anchor}`;
}

test('GitHub heading slugs', () => {
  assert.equal(slug('PKCS#11 in the action'), 'pkcs11-in-the-action');
  assert.equal(slug('`vouch keys`'), 'vouch-keys');
  assert.equal(slug('Who signed: identity policy'), 'who-signed-identity-policy');
  assert.equal(
    slug('Differences from cosign, sigstore-js and `gh attestation verify`'),
    'differences-from-cosign-sigstore-js-and-gh-attestation-verify',
  );
  assert.equal(slug('SBOMs: `vouch sbom` and `actions/sbom`'), 'sboms-vouch-sbom-and-actionssbom');
  assert.equal(slug('The [gate](gate.md) step'), 'the-gate-step');
  assert.equal(slug('Über_uns 2.0'), 'über_uns-20');
  const anchors = anchorsOf('# Errors\n\n## Errors\n\n```\n# not a heading\n```\n\nSetext\n---\n');
  assert.deepEqual([...anchors], ['errors', 'errors-1', 'setext']);
});

test('every relative Markdown link and docs/*.md#anchor reference resolves', () => {
  const refs: Reference[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8');
    refs.push(...markdownLinks(file, text), ...docsReferences(file, text));
  }
  for (const file of sourceFiles()) refs.push(...docsReferences(file, readFileSync(file, 'utf8')));
  assert.ok(refs.length > 50, `only ${refs.length} references found: the scan is broken`);
  const broken = refs
    .map((ref) => {
      const why = problem(ref);
      return why && `${relative(ROOT, ref.from)}:${ref.line}: ${ref.target}: ${why}`;
    })
    .filter((x): x is string => x !== undefined);
  assert.deepEqual([...new Set(broken)], []);
});
