/**
 * Named exports of a CommonJS package loaded with `import()`.
 *
 * Node gives such a namespace the names its lexer detects plus `default` (module.exports); in an
 * esbuild bundle split into chunks, a CommonJS package that is only imported dynamically becomes a
 * chunk whose namespace holds `default` alone, so `const { X } = await import('pkg')` yields
 * undefined there. Reading `default` first works in both. Use it only for CommonJS packages (or
 * dual packages whose ESM build has no default export): for an ES module with a default export,
 * `default` is not the namespace.
 */
export function cjsExports<T extends object>(namespace: T): T {
  const exported = (namespace as { default?: unknown }).default;
  return exported !== null && (typeof exported === 'object' || typeof exported === 'function')
    ? (exported as T)
    : namespace;
}
