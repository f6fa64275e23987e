// Minimal type declarations for yauzl 3 (it ships none), covering what the OSV zip reader uses.
declare module 'yauzl' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';
  export interface Entry {
    readonly fileName: string;
    readonly uncompressedSize: number;
    readonly compressedSize: number;
    readonly externalFileAttributes: number;
  }
  export interface ZipFile extends EventEmitter {
    readEntry(): void;
    close(): void;
    openReadStream(entry: Entry, callback: (err: Error | null, stream?: Readable) => void): void;
  }
  export interface Options {
    lazyEntries?: boolean;
    autoClose?: boolean;
    validateEntrySizes?: boolean;
    strictFileNames?: boolean;
  }
  export function open(
    path: string,
    options: Options,
    callback: (err: Error | null, zip?: ZipFile) => void,
  ): void;
  const yauzl: { open: typeof open };
  export default yauzl;
}
