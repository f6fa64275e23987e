/**
 * Import rules of the layout (docs/architecture.md):
 * - src/core imports only src/core (and src/errors.ts, src/version.ts), no @actions/*, fs, network,
 *   child processes or process.env;
 * - src/adapters never imports src/actions or src/cli;
 * - src/cli never imports src/actions, and src/actions never imports src/cli;
 * - no import cycles anywhere in src/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const srcDir = join(root, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

const importRe =
  /(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
const files = walk(srcDir);
const graph = new Map<string, string[]>();
const problems: string[] = [];
const forbiddenInCore =
  /^(node:)?(fs|fs\/promises|http|https|net|tls|dgram|child_process|dns)$|^@actions\//;

for (const file of files) {
  const rel = relative(root, file);
  const text = readFileSync(file, 'utf8');
  const deps: string[] = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    if (spec.startsWith('.')) {
      const target = relative(root, resolve(dirname(file), spec));
      deps.push(target);
      const area = (p: string): string => p.split('/').slice(0, 2).join('/');
      const from = area(rel);
      const to = area(target);
      const coreOk = to === 'src/core' || target === 'src/errors.ts' || target === 'src/version.ts';
      if (from === 'src/core' && !coreOk)
        problems.push(`${rel}: src/core must not import ${target}`);
      if (from === 'src/adapters' && (to === 'src/actions' || to === 'src/cli'))
        problems.push(`${rel}: src/adapters must not import ${target}`);
      if (from === 'src/cli' && to === 'src/actions')
        problems.push(`${rel}: src/cli must not import ${target}`);
      if (from === 'src/actions' && to === 'src/cli')
        problems.push(`${rel}: src/actions must not import ${target}`);
    } else if (rel.startsWith('src/core/') && forbiddenInCore.test(spec)) {
      problems.push(`${rel}: src/core must not import ${spec} (I/O belongs in src/adapters)`);
    }
  }
  if (rel.startsWith('src/core/') && /process\.env/.test(text)) {
    problems.push(`${rel}: src/core must not read process.env (pass values in)`);
  }
  graph.set(rel, deps);
}

// Cycles: Tarjan's strongly connected components.
let index = 0;
const idx = new Map<string, number>();
const low = new Map<string, number>();
const stack: string[] = [];
const on = new Set<string>();
function strong(v: string): void {
  idx.set(v, index);
  low.set(v, index);
  index++;
  stack.push(v);
  on.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
  }
  if (low.get(v) === idx.get(v)) {
    const comp: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      on.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) problems.push(`import cycle: ${comp.sort().join(' -> ')}`);
  }
}
for (const v of graph.keys()) if (!idx.has(v)) strong(v);

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`imports: ${files.length} files follow the layout rules, no cycles`);
