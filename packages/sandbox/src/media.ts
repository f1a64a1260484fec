// Sample media served under /media/: baseline JPEGs and a small MP4 (Motion-JPEG video track),
// generated in code so no binary fixtures are needed. Solid-colour frames keep the encoder tiny:
// every 8x8 block has only a DC coefficient, so the entropy data is DC deltas and end-of-block codes.

/** Huffman table: code lengths per symbol from the JPEG BITS list. */
function canonicalCodes(bits: number[], values: number[]): Map<number, { code: number; len: number }> {
  const out = new Map<number, { code: number; len: number }>();
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < bits[len - 1]; i++) out.set(values[k++], { code: code++, len });
    code <<= 1;
  }
  return out;
}

// Standard DC tables (ITU T.81 Annex K.3). The AC tables hold only end-of-block (one 1-bit code).
const DC_LUMA = {
  bits: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
const DC_CHROMA = {
  bits: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0],
  values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
const AC_EOB_ONLY = { bits: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], values: [0] };

class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0); // byte stuffing
    this.acc = 0;
    this.n = 0;
  }
  finish(): Buffer {
    while (this.n !== 0) this.write(1, 1); // pad with 1s
    return Buffer.from(this.bytes);
  }
}

function segment(marker: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

function dht(tableClass: number, id: number, t: { bits: number[]; values: number[] }): Buffer {
  return Buffer.from([(tableClass << 4) | id, ...t.bits, ...t.values]);
}

/** A baseline JPEG of one solid colour (width and height multiples of 8). */
export function solidJpeg(width: number, height: number, rgb: [number, number, number]): Buffer {
  const [r, g, b] = rgb;
  const ycc = [
    0.299 * r + 0.587 * g + 0.114 * b,
    128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
    128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
  ];
  // With a quantiser of 1, the DC of a flat block is 8 * (sample - 128).
  const dcs = ycc.map((v) => Math.round(8 * (Math.min(255, Math.max(0, v)) - 128)));
  const dcTables = [canonicalCodes(DC_LUMA.bits, DC_LUMA.values), canonicalCodes(DC_CHROMA.bits, DC_CHROMA.values)];
  const eob = canonicalCodes(AC_EOB_ONLY.bits, AC_EOB_ONLY.values).get(0) as { code: number; len: number };
  const w = new BitWriter();
  const blocks = (width / 8) * (height / 8);
  for (let blk = 0; blk < blocks; blk++) {
    for (let c = 0; c < 3; c++) {
      const diff = blk === 0 ? dcs[c] : 0;
      const mag = Math.abs(diff);
      const size = mag === 0 ? 0 : Math.floor(Math.log2(mag)) + 1;
      const hc = dcTables[c === 0 ? 0 : 1].get(size) as { code: number; len: number };
      w.write(hc.code, hc.len);
      if (size > 0) w.write(diff >= 0 ? diff : diff + (1 << size) - 1, size);
      w.write(eob.code, eob.len);
    }
  }
  const sof = Buffer.alloc(15);
  sof.writeUInt8(8, 0);
  sof.writeUInt16BE(height, 1);
  sof.writeUInt16BE(width, 3);
  sof.writeUInt8(3, 5);
  [
    [1, 0x11, 0],
    [2, 0x11, 0],
    [3, 0x11, 0],
  ].forEach((comp, i) => sof.set(comp, 6 + i * 3));
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0])),
    segment(0xdb, Buffer.from([0, ...new Array(64).fill(1)])),
    segment(0xc0, sof),
    segment(
      0xc4,
      Buffer.concat([dht(0, 0, DC_LUMA), dht(0, 1, DC_CHROMA), dht(1, 0, AC_EOB_ONLY), dht(1, 1, AC_EOB_ONLY)]),
    ),
    segment(0xda, Buffer.from([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0])),
    w.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

function box(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length + 8, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  const vf = Buffer.alloc(4);
  vf.writeUInt32BE(((version & 0xff) << 24) | (flags & 0xffffff), 0);
  return box(type, vf, ...parts);
}

function u32(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

function u16(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, i * 2));
  return b;
}

const MATRIX = u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000);

/** MPEG-4 descriptor: tag, length (one byte is enough here), payload. */
function descriptor(tag: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag, payload.length]), payload]);
}

/** A small MP4 (ISO BMFF, moov before mdat): one Motion-JPEG ('mp4v', object type 0x6C) video track. */
export function sampleMp4(width: number, height: number, fps: number, frames: Buffer[]): Buffer {
  const count = frames.length;
  const durationMs = Math.round((count * 1000) / fps);
  const esds = fullBox(
    'esds',
    0,
    0,
    descriptor(
      0x03,
      Buffer.concat([
        u16(1),
        Buffer.from([0]),
        descriptor(0x04, Buffer.concat([Buffer.from([0x6c, 0x11, 0, 0, 0]), u32(0, 0)])),
        descriptor(0x06, Buffer.from([0x02])),
      ]),
    ),
  );
  const compressor = Buffer.alloc(32);
  const sampleEntry = box(
    'mp4v',
    Buffer.alloc(6),
    u16(1), // reserved, data_reference_index
    u16(0, 0),
    u32(0, 0, 0),
    u16(width, height),
    u32(0x00480000, 0x00480000, 0),
    u16(1),
    compressor,
    u16(0x18, 0xffff),
    esds,
  );
  const stbl = (chunkOffset: number) =>
    box(
      'stbl',
      fullBox('stsd', 0, 0, u32(1), sampleEntry),
      fullBox('stts', 0, 0, u32(1, count, 1)),
      fullBox('stsc', 0, 0, u32(1, 1, count, 1)),
      fullBox('stsz', 0, 0, u32(0, count), u32(...frames.map((f) => f.length))),
      fullBox('stco', 0, 0, u32(1, chunkOffset)),
    );
  const moov = (chunkOffset: number) =>
    box(
      'moov',
      fullBox(
        'mvhd',
        0,
        0,
        u32(0, 0, 1000, durationMs, 0x00010000),
        u16(0x0100, 0),
        u32(0, 0),
        MATRIX,
        u32(0, 0, 0, 0, 0, 0, 2),
      ),
      box(
        'trak',
        fullBox(
          'tkhd',
          0,
          3,
          u32(0, 0, 1, 0, durationMs, 0, 0),
          u16(0, 0, 0, 0),
          MATRIX,
          u32(width << 16, height << 16),
        ),
        box(
          'mdia',
          fullBox('mdhd', 0, 0, u32(0, 0, fps, count), u16(0x55c4, 0)),
          fullBox(
            'hdlr',
            0,
            0,
            u32(0),
            Buffer.from('vide', 'latin1'),
            u32(0, 0, 0),
            Buffer.from('VideoHandler\0', 'latin1'),
          ),
          box(
            'minf',
            fullBox('vmhd', 0, 1, u16(0, 0, 0, 0)),
            box('dinf', fullBox('dref', 0, 0, u32(1), fullBox('url ', 0, 1))),
            stbl(chunkOffset),
          ),
        ),
      ),
    );
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2mp41', 'latin1'));
  const moovSize = moov(0).length;
  const mdat = box('mdat', ...frames);
  return Buffer.concat([ftyp, moov(ftyp.length + moovSize + 8), mdat]);
}

interface MediaFile {
  contentType: string;
  bytes: Buffer;
}

const GENERATORS: Record<string, () => MediaFile> = {
  'sample.mp4': () => {
    const frame = solidJpeg(360, 640, [254, 44, 85]);
    return { contentType: 'video/mp4', bytes: sampleMp4(360, 640, 30, new Array(30).fill(frame)) };
  },
  'photo-1.jpg': () => ({ contentType: 'image/jpeg', bytes: solidJpeg(1080, 1352, [37, 244, 238]) }),
  'photo-2.jpg': () => ({ contentType: 'image/jpeg', bytes: solidJpeg(1080, 1352, [254, 44, 85]) }),
  'photo-3.jpg': () => ({ contentType: 'image/jpeg', bytes: solidJpeg(1080, 1080, [24, 24, 24]) }),
  'avatar.jpg': () => ({ contentType: 'image/jpeg', bytes: solidJpeg(96, 96, [128, 128, 128]) }),
};

const cache = new Map<string, MediaFile>();

export function mediaNames(): string[] {
  return Object.keys(GENERATORS);
}

export function mediaExists(name: string): boolean {
  return name in GENERATORS;
}

export function mediaFile(name: string): MediaFile | null {
  if (!(name in GENERATORS)) return null;
  let f = cache.get(name);
  if (!f) cache.set(name, (f = GENERATORS[name]()));
  return f;
}
