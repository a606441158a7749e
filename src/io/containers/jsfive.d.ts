// The part of jsfive's API rnnkit uses (the package ships no types).
declare module 'jsfive' {
  interface Node {
    readonly attrs: Record<string, unknown>;
  }
  export class Group implements Node {
    readonly attrs: Record<string, unknown>;
    readonly keys: string[];
    get(path: string): Group | Dataset | null;
  }
  export class Dataset implements Node {
    readonly attrs: Record<string, unknown>;
    readonly shape: number[];
    readonly dtype: unknown;
    readonly value: ArrayLike<unknown>;
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename: string);
  }
}
