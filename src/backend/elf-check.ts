// A cheap look at a native binary before the dynamic loader maps it. dlopen of a truncated shared
// object does not fail cleanly: the loader maps segments that run past the end of the file and
// the process dies of SIGBUS when it touches them. So on Linux the ELF headers are read first, and a
// file whose segments or section table do not fit in it, or that was built for another machine,
// is refused with a reason instead of being loaded. (Other corruption inside the segments is not
// detected here.)
import * as fs from 'fs';

const ELF_MACHINES: Record<number, string> = { 3: 'ia32', 40: 'arm', 62: 'x64', 183: 'arm64', 243: 'riscv64' };

/** Why `file` cannot be a loadable ELF shared object for this process, or null if it looks whole. */
export function elfProblem(file: string): string | null {
  if (process.platform !== 'linux') return null;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    return (err as Error).message;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const read = (offset: number, length: number): Buffer | null => {
      if (offset + length > size) return null;
      const b = Buffer.alloc(length);
      return fs.readSync(fd, b, 0, length, offset) === length ? b : null;
    };
    const header = read(0, 64);
    if (!header || header.readUInt32BE(0) !== 0x7f454c46) return `not an ELF file (${size} bytes)`;
    // 64-bit little-endian only (x64, arm64); other classes go straight to the loader.
    if (header[4] !== 2 || header[5] !== 1) return null;
    const machine = ELF_MACHINES[header.readUInt16LE(18)] ?? `ELF machine ${header.readUInt16LE(18)}`;
    if (machine !== process.arch) return `built for ${machine}, this process is ${process.arch}`;
    const phoff = Number(header.readBigUInt64LE(32));
    const shoff = Number(header.readBigUInt64LE(40));
    const phentsize = header.readUInt16LE(54);
    const phnum = header.readUInt16LE(56);
    const shentsize = header.readUInt16LE(58);
    const shnum = header.readUInt16LE(60);
    const table = read(phoff, phentsize * phnum);
    if (!table || phentsize < 56) return `truncated: ${size} bytes, its program headers end past them`;
    let needed = shoff === 0 ? 0 : shoff + shentsize * shnum;
    for (let i = 0; i < phnum; i++) {
      const offset = Number(table.readBigUInt64LE(i * phentsize + 8));
      const fileSize = Number(table.readBigUInt64LE(i * phentsize + 32));
      needed = Math.max(needed, offset + fileSize);
    }
    return needed > size ? `truncated: ${size} bytes, its ELF headers describe ${needed}` : null;
  } finally {
    fs.closeSync(fd);
  }
}
