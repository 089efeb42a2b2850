/*
 * The zip container of torch.save files (since PyTorch 1.6): the central directory, read
 * without reading any entry's data.
 * Layer: checkpoint. Imports fflate (pure JS, for the rare deflated entry); no vscode, no DOM, no Node.
 *
 * PyTorch writes entries STORED (not compressed), 64-byte aligned, with general purpose bit 3
 * set and zero sizes in the local headers: sizes come from the central directory, and an
 * entry's data starts after ITS local header's name and extra field (the extra field holds the
 * alignment padding, which the central directory's copy lacks). Zip64 records are honoured.
 * A zip re-packed by another tool may deflate entries: those are inflated with fflate, after
 * checking their declared size against the budget.
 */
import { inflateSync } from 'fflate';
import { CheckpointError, checkRange, utf8Decode, type ByteSource } from './source';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const EOCD64_LOCATOR_SIG = 0x07064b50;
const EOCD64_SIG = 0x06064b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
/** Entries accepted in one archive (a model with 100,000 tensors stays well below). */
const MAX_ENTRIES = 1_000_000;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function u64(dv: DataView, at: number): number {
  const lo = dv.getUint32(at, true);
  const hi = dv.getUint32(at + 4, true);
  const v = hi * 2 ** 32 + lo;
  if (!Number.isSafeInteger(v)) throw new CheckpointError('the zip directory holds a size beyond 2^53 bytes: the file is corrupt');
  return v;
}

/** The zip's entries by name, from the central directory. Throws CheckpointError on anything inconsistent. */
export function readZipDirectory(src: ByteSource): Map<string, ZipEntry> {
  const size = src.size;
  if (size < 22) throw new CheckpointError('the zip file is truncated: it is too short to hold a zip directory');
  // The end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes.
  const tailLen = Math.min(size, 22 + 65535);
  const tail = src.read(size - tailLen, tailLen);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG) { eocd = i; break; }
  }
  if (eocd < 0) throw new CheckpointError('the zip file is truncated or corrupt: no end of central directory (the file may have been cut short while copying)');
  let count = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  const eocdAbs = size - tailLen + eocd;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    // Zip64: a locator right before the EOCD points at the zip64 EOCD record.
    if (eocdAbs < 20) throw new CheckpointError('the zip file is corrupt: a zip64 directory without its locator');
    const loc = view(src.read(eocdAbs - 20, 20));
    if (loc.getUint32(0, true) !== EOCD64_LOCATOR_SIG) throw new CheckpointError('the zip file is corrupt: a zip64 directory without its locator');
    const at = u64(loc, 8);
    checkRange(at, 56, size, 'the zip64 directory record');
    const r = view(src.read(at, 56));
    if (r.getUint32(0, true) !== EOCD64_SIG) throw new CheckpointError('the zip file is corrupt: bad zip64 directory record');
    count = u64(r, 32);
    cdSize = u64(r, 40);
    cdOffset = u64(r, 48);
  }
  if (count > MAX_ENTRIES) throw new CheckpointError(`the zip file claims ${count} entries, more than ${MAX_ENTRIES}: refused`);
  checkRange(cdOffset, cdSize, size, 'the zip central directory');
  const cd = src.read(cdOffset, cdSize);
  const dv = view(cd);
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || dv.getUint32(p, true) !== CDH_SIG) throw new CheckpointError('the zip file is corrupt: its central directory ends early');
    const method = dv.getUint16(p + 10, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let uncompressedSize = dv.getUint32(p + 24, true);
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new CheckpointError('the zip file is corrupt: its central directory ends early');
    const name = utf8Decode(cd.subarray(p + 46, p + 46 + nameLen));
    // Zip64 extended information: the 0xffffffff fields, in this order.
    let e = p + 46 + nameLen;
    const eEnd = e + extraLen;
    while (e + 4 <= eEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        const take = (): number => {
          if (q + 8 > e + 4 + len) throw new CheckpointError('the zip file is corrupt: a short zip64 field');
          const v = u64(dv, q);
          q += 8;
          return v;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      e += 4 + len;
    }
    p += 46 + nameLen + extraLen + commentLen;
    if (method !== 0 && method !== 8) throw new CheckpointError(`the zip entry ${JSON.stringify(name)} uses compression method ${method}; only stored and deflated entries are read`);
    checkRange(localHeaderOffset, 30, size, `the zip entry ${JSON.stringify(name)}`);
    checkRange(localHeaderOffset, compressedSize, size, `the zip entry ${JSON.stringify(name)}`);
    entries.set(name, { name, method, compressedSize, size: uncompressedSize, localHeaderOffset });
  }
  return entries;
}

/** Byte offset of an entry's data: after its own local header, name and extra field. */
export function entryDataOffset(src: ByteSource, e: ZipEntry): number {
  const h = view(src.read(e.localHeaderOffset, 30));
  if (h.getUint32(0, true) !== LFH_SIG) throw new CheckpointError(`the zip file is corrupt: no local header for ${JSON.stringify(e.name)}`);
  const start = e.localHeaderOffset + 30 + h.getUint16(26, true) + h.getUint16(28, true);
  checkRange(start, e.compressedSize, src.size, `the data of ${JSON.stringify(e.name)}`);
  return start;
}

/**
 * The whole (uncompressed) content of an entry. `maxBytes` is checked against the declared
 * size before anything is allocated or inflated.
 */
export function readEntry(src: ByteSource, e: ZipEntry, maxBytes: number): Uint8Array {
  if (e.size > maxBytes) throw new CheckpointError(`the zip entry ${JSON.stringify(e.name)} holds ${e.size} bytes, more than the limit of ${maxBytes}: nothing was read`);
  const start = entryDataOffset(src, e);
  const raw = src.read(start, e.compressedSize);
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw new CheckpointError(`the zip file is corrupt: the stored entry ${JSON.stringify(e.name)} has two different sizes`);
    return raw;
  }
  let out: Uint8Array;
  try {
    // One byte more than declared: fflate stops when the buffer is full, so a stream that
    // inflates past its declared size (a zip bomb, a lying directory) shows up as a full buffer.
    out = inflateSync(raw, { out: new Uint8Array(e.size + 1) });
  } catch (err) {
    throw new CheckpointError(`the zip entry ${JSON.stringify(e.name)} cannot be inflated: ${(err as Error)?.message ?? err}`);
  }
  if (out.length > e.size) throw new CheckpointError(`the zip entry ${JSON.stringify(e.name)} inflates to more than the ${e.size} bytes its directory says: refused`);
  if (out.length !== e.size) throw new CheckpointError(`the zip entry ${JSON.stringify(e.name)} inflates to ${out.length} bytes, not the ${e.size} its directory says`);
  return out;
}
