/** Dependency-graph helpers shared by the lockfile readers. */
import type { ComponentScope } from './model.ts';

export const SCOPE_RANK: Readonly<Record<ComponentScope, number>> = {
  required: 2,
  optional: 1,
  dev: 0,
};

/** An edge kind per (from, to): how `to` is needed by `from`. */
export type ScopedEdges = Map<string, Map<string, ComponentScope>>;

export function addEdge(
  edges: ScopedEdges,
  from: string,
  to: string,
  kind: ComponentScope = 'required',
): void {
  if (from === to) return;
  let kinds = edges.get(from);
  if (!kinds) edges.set(from, (kinds = new Map()));
  const prev = kinds.get(to);
  if (prev === undefined || SCOPE_RANK[kind] > SCOPE_RANK[prev]) kinds.set(to, kind);
}

/**
 * Scope of each node reachable from `roots`: required when a path of required edges leads to
 * it, optional when the best path has an optional edge, dev when every path has a dev edge.
 */
export function propagateScopes(
  roots: readonly string[],
  edges: ScopedEdges,
): Map<string, ComponentScope> {
  const best = new Map<string, ComponentScope>();
  const queue: string[] = [];
  for (const r of roots) {
    best.set(r, 'required');
    queue.push(r);
  }
  for (let i = 0; i < queue.length; i++) {
    const from = queue[i]!;
    const here = best.get(from)!;
    for (const [to, kind] of edges.get(from) ?? []) {
      const scope = SCOPE_RANK[kind] < SCOPE_RANK[here] ? kind : here;
      const prev = best.get(to);
      if (prev === undefined || SCOPE_RANK[scope] > SCOPE_RANK[prev]) {
        best.set(to, scope);
        queue.push(to);
      }
    }
  }
  return best;
}

/** The plain ref → refs map of a ScopedEdges graph, targets sorted. */
export function toDependencies(edges: ScopedEdges): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [from, kinds] of edges) out.set(from, [...kinds.keys()].sort());
  return out;
}
