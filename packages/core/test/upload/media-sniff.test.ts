// Issue 14 item 4: what a file's bytes are decides whether it may be sent, and as which content type.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleMp4, solidJpeg } from '@tokpipe/sandbox';
import { describeBytes, mediaMismatch, sniffMedia, TokpipeError } from '../../src';
import { videoFileSource } from '../../src/node';

const bytes = (...parts: Array<string | number[]>): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

it.each([
  ['MP4 (isom brand)', bytes([0, 0, 0, 0x18], 'ftypisom', [0, 0, 2, 0]), 'video/mp4'],
  ['MOV (qt brand)', bytes([0, 0, 0, 0x14], 'ftypqt  ', [0, 0, 2, 0]), 'video/quicktime'],
  ['MOV without ftyp', bytes([0, 0, 0, 8], 'wide', [0, 0, 0, 8], 'mdat'), 'video/quicktime'],
  ['WebM', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0x82, 0x84], 'webm'), 'video/webm'],
  ['JPEG', bytes([0xff, 0xd8, 0xff, 0xe0]), 'image/jpeg'],
  ['WebP', bytes('RIFF', [1, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
  ['Matroska (not WebM)', bytes([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x82, 0x88], 'matroska'), undefined],
  ['a password file', bytes('root:x:0:0:root:/root:/bin/bash\n'), undefined],
  ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), undefined],
])('%s', (_name, head, type) => {
  expect(sniffMedia(head)).toBe(type);
});

it('says what a refused file looks like', () => {
  expect(mediaMismatch(bytes('root:x:0:0\n'), 'video')).toBe(
    'is not a video TikTok accepts (MP4, MOV or WebM): its bytes look like text',
  );
  expect(mediaMismatch(bytes([0x89, 0x50, 0x4e, 0x47]), 'photo')).toBe(
    'is not a photo TikTok accepts (JPEG or WebP): its bytes look like a PNG image',
  );
  expect(mediaMismatch(solidJpeg(8, 8, [1, 2, 3]), 'video')).toBe(
    'is not a video TikTok accepts (MP4, MOV or WebM): its bytes look like an image (image/jpeg)',
  );
  expect(mediaMismatch(solidJpeg(8, 8, [1, 2, 3]), 'photo')).toBeUndefined();
  expect(describeBytes(new Uint8Array())).toBe('an empty file');
  expect(describeBytes(bytes([0x7f, 0x45, 0x4c, 0x46, 2]))).toBe('a program (ELF)');
});

describe('videoFileSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokpipe-sniff-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('takes the content type from the bytes, not the extension, and reads the real file behind a link', async () => {
    await fs.writeFile(path.join(dir, 'clip.webm'), sampleMp4(32, 32, 1, [Buffer.alloc(64, 2)]));
    await fs.symlink(path.join(dir, 'clip.webm'), path.join(dir, 'alias.mov'));
    const source = await videoFileSource(path.join(dir, 'alias.mov'));
    expect(source.contentType).toBe('video/mp4');
    expect(source.size).toBe((await fs.stat(path.join(dir, 'clip.webm'))).size);
  });

  it('refuses what is not a video, naming the file, as an input error', async () => {
    await fs.writeFile(path.join(dir, 'id_rsa.mp4'), '-----BEGIN OPENSSH PRIVATE KEY-----\n');
    const error = await videoFileSource(path.join(dir, 'id_rsa.mp4')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokpipeError);
    expect((error as TokpipeError).details).toMatchObject({ layer: 'input', field: 'videoFile' });
    expect((error as TokpipeError).details.message).toContain(
      `${path.join(dir, 'id_rsa.mp4')} is not a video TikTok accepts`,
    );
  });
});
