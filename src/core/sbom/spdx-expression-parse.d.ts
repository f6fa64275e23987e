declare module 'spdx-expression-parse' {
  /** Parses an SPDX license expression; throws on anything else. */
  function parse(expression: string): unknown;
  export default parse;
}
