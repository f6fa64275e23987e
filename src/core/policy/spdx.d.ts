// Type declaration for spdx-satisfies, which ships none (spdx-expression-parse is declared in src/core/sbom).
declare module 'spdx-satisfies' {
  function satisfies(expression: string, allowed: readonly string[]): boolean;
  export default satisfies;
}
