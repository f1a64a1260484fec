// What a file's first bytes say it is, before any of it is sent: TikTok takes MP4, MOV and WebM videos
// (reference §1.4) and JPEG or WebP photos. A wrong extension is not trusted, and a file that is not
// media at all (a password file, a key, a script) is refused naming what it looks like.

import {
  PHOTO_CONTENT_TYPES,
  VIDEO_CONTENT_TYPES,
  type PhotoContentType,
  type VideoContentType,
} from './catalog/media';

export type MediaContentType = VideoContentType | PhotoContentType;

/** How many leading bytes sniffMedia needs. */
export const SNIFF_BYTES = 4096;

const ascii = (bytes: Uint8Array, from: number, to: number): string => String.fromCharCode(...bytes.subarray(from, to));
const startsWith = (bytes: Uint8Array, magic: readonly number[]): boolean => magic.every((b, i) => bytes[i] === b);

// ISO base media boxes an old QuickTime file may begin with instead of `ftyp`.
const QUICKTIME_FIRST_BOXES = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** Media types recognised from their leading bytes (tables over if-chains: first match wins). */
const SIGNATURES: Array<[MediaContentType, (b: Uint8Array) => boolean]> = [
  ['video/quicktime', (b) => ascii(b, 4, 8) === 'ftyp' && ascii(b, 8, 12) === 'qt  '],
  ['video/mp4', (b) => ascii(b, 4, 8) === 'ftyp'],
  ['video/quicktime', (b) => QUICKTIME_FIRST_BOXES.has(ascii(b, 4, 8))],
  // EBML header; Matroska files that are not WebM name another DocType.
  [
    'video/webm',
    (b) => startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]) && ascii(b, 0, Math.min(b.length, 64)).includes('webm'),
  ],
  ['image/jpeg', (b) => startsWith(b, [0xff, 0xd8, 0xff])],
  ['image/webp', (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP'],
];

/** Other common formats, only to tell the user what the file is instead. */
const NOT_MEDIA: Array<[string, (b: Uint8Array) => boolean]> = [
  ['a Matroska (not WebM) video', (b) => startsWith(b, [0x1a, 0x45, 0xdf, 0xa3])],
  ['a PNG image', (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47])],
  ['a GIF image', (b) => ascii(b, 0, 4) === 'GIF8'],
  ['a PDF document', (b) => ascii(b, 0, 5) === '%PDF-'],
  ['a ZIP archive', (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04])],
  ['a program (ELF)', (b) => startsWith(b, [0x7f, 0x45, 0x4c, 0x46])],
  ['an AVI video', (b) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'AVI '],
];

export function sniffMedia(head: Uint8Array): MediaContentType | undefined {
  return SIGNATURES.find(([, test]) => test(head))?.[0];
}

/** "an empty file", "text", "a PNG image", or the first bytes in hex. */
export function describeBytes(head: Uint8Array): string {
  if (head.length === 0) return 'an empty file';
  const known = NOT_MEDIA.find(([, test]) => test(head))?.[0];
  if (known) return known;
  const sample = head.subarray(0, 512);
  const printable = sample.every((b) => b === 9 || b === 10 || b === 13 || (b >= 0x20 && b < 0x7f) || b >= 0x80);
  if (printable) return 'text';
  return `bytes ${[...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}

/** Undefined when `head` looks like `kind` media; otherwise why not, for a message naming the file. */
export function mediaMismatch(head: Uint8Array, kind: 'video' | 'photo'): string | undefined {
  const type = sniffMedia(head);
  const wanted: readonly MediaContentType[] = kind === 'video' ? VIDEO_CONTENT_TYPES : PHOTO_CONTENT_TYPES;
  if (type && wanted.includes(type)) return undefined;
  const accepted = kind === 'video' ? 'MP4, MOV or WebM' : 'JPEG or WebP';
  const seen = type ? `${type.startsWith('image/') ? 'an image' : 'a video'} (${type})` : describeBytes(head);
  return `is not a ${kind} TikTok accepts (${accepted}): its bytes look like ${seen}`;
}
