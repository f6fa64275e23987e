/** The suite's version, as published; kept equal to package.json by a test. */
export const VERSION = '0.1.0';
export const TOOL_NAME = 'vouch';
