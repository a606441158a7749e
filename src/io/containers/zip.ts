// Reads and writes the .keras zip with fflate. Members are size-checked before they are inflated,
// so a crafted archive cannot make rnnkit allocate without bound.
import { unzipSync, zipSync, strToU8 } from 'fflate';
import { ModelFileError } from '../../errors';

export const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ZIP_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** The members of a zip whose names pass `wanted`, each at most `maxBytes` once inflated. */
export function readZip(bytes: Uint8Array, file: string, wanted: (name: string) => boolean, maxBytes: number): Map<string, Uint8Array> {
  let tooBig: string | null = null;
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (f) => {
        if (!wanted(f.name)) return false;
        if (f.originalSize > maxBytes) {
          tooBig = `${f.name} (${f.originalSize} bytes inflated)`;
          return false;
        }
        return true;
      },
    });
  } catch (e) {
    throw new ModelFileError(file, null, `corrupt or truncated zip archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (tooBig !== null) throw new ModelFileError(file, null, `zip member ${tooBig} is larger than the ${maxBytes}-byte limit (option maxBytes)`);
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(members)) {
    if (data.length > maxBytes) throw new ModelFileError(file, null, `zip member ${name} inflates past the ${maxBytes}-byte limit`);
    out.set(name, data);
  }
  return out;
}

/** A zip of the given members, stored in the order given (Keras writes its members uncompressed too). */
export function writeZip(members: [string, Uint8Array | string][]): Uint8Array {
  const entries: Record<string, [Uint8Array, { level: 0; mtime: Date }]> = {};
  // A fixed time stamp: saving the same model twice gives the same bytes.
  const mtime = new Date(Date.UTC(1980, 0, 1));
  for (const [name, data] of members) entries[name] = [typeof data === 'string' ? strToU8(data) : data, { level: 0, mtime }];
  return zipSync(entries);
}
