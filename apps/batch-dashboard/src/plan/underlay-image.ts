import { crc32 } from 'node:zlib';
import { BadRequestError } from '../errors';
import { inspectSvg } from './svg-inspection';

/**
 * What a site drawing is, judged by its bytes (never by a file name or a declared type): a PNG
 * (signature, chunk structure and CRCs, IHDR first, IEND last) or an SVG (see svg-inspection),
 * within the size limits; else a BadRequestError listing why. Returns the media type to serve
 * it with and its size in image units (the space its control points are given in).
 */
export type UnderlayMediaType = 'image/png' | 'image/svg+xml';

export interface InspectedImage {
  readonly mediaType: UnderlayMediaType;
  readonly width: number;
  readonly height: number;
}

export const UNDERLAY_LIMITS = {
  /** Bytes of one drawing: a site plan exported at a readable resolution fits. */
  maxBytes: 8 * 1024 * 1024,
  /** Pixels per side of a PNG: browsers' canvas and image limits start around here. */
  maxPngSide: 16_384,
  /** Pixels of a PNG: decoded, 4 bytes each, in every browser that opens the plan. */
  maxPngPixels: 40_000_000,
} as const;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function refuseImage(...reasons: string[]): BadRequestError {
  return new BadRequestError('invalid_image', reasons);
}

export function inspectUnderlayImage(bytes: Buffer): InspectedImage {
  if (bytes.length === 0) throw refuseImage('the image is empty');
  if (bytes.length > UNDERLAY_LIMITS.maxBytes) {
    throw refuseImage(
      `the image is ${bytes.length} bytes; at most ${UNDERLAY_LIMITS.maxBytes} are accepted`,
    );
  }
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return inspectPng(bytes);
  if (looksLikeXml(bytes)) {
    const svg = inspectSvg(bytes);
    if (!svg.ok) throw refuseImage(...svg.problems);
    return { mediaType: 'image/svg+xml', ...svg.size };
  }
  throw refuseImage('not a PNG or an SVG image (judged by its content, not its name)');
}

/** Text that starts (after a UTF-8 byte-order mark and white space) with '<'. */
function looksLikeXml(bytes: Buffer): boolean {
  let start = bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? 3 : 0;
  while (start < bytes.length && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[start] as number)) {
    start += 1;
  }
  return bytes[start] === 0x3c;
}

/** Valid (bit depth, colour type) pairs of the PNG specification, section 11.2.2. */
const PNG_BIT_DEPTHS: Readonly<Record<number, readonly number[]>> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function inspectPng(bytes: Buffer): InspectedImage {
  let offset = 8;
  let width = 0;
  let height = 0;
  let chunks = 0;
  let sawData = false;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) throw refuseImage('PNG: truncated chunk');
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length) {
      throw refuseImage(`PNG: chunk ${JSON.stringify(type)} runs past the end of the file`);
    }
    const stored = bytes.readUInt32BE(end - 4);
    if (crc32(bytes.subarray(offset + 4, end - 4)) !== stored) {
      throw refuseImage(`PNG: chunk ${JSON.stringify(type)} is corrupt (CRC mismatch)`);
    }
    if (chunks === 0) {
      if (type !== 'IHDR' || length !== 13) throw refuseImage('PNG: IHDR must come first');
      width = bytes.readUInt32BE(offset + 8);
      height = bytes.readUInt32BE(offset + 12);
      const bitDepth = bytes[offset + 16] as number;
      const colourType = bytes[offset + 17] as number;
      const interlace = bytes[offset + 20] as number;
      if (!PNG_BIT_DEPTHS[colourType]?.includes(bitDepth) || interlace > 1) {
        throw refuseImage('PNG: invalid header (bit depth, colour type or interlace method)');
      }
    }
    if (type === 'IDAT') sawData = true;
    chunks += 1;
    offset = end;
    if (type === 'IEND') break;
  }
  const problems: string[] = [];
  if (offset !== bytes.length || bytes.toString('latin1', offset - 8, offset - 4) !== 'IEND') {
    problems.push('PNG: must end with its IEND chunk (truncated, or bytes after the image)');
  }
  if (!sawData) problems.push('PNG: no image data (IDAT)');
  if (width === 0 || height === 0) problems.push('PNG: zero width or height');
  if (width > UNDERLAY_LIMITS.maxPngSide || height > UNDERLAY_LIMITS.maxPngSide) {
    problems.push(
      `PNG: ${width} x ${height} pixels; at most ${UNDERLAY_LIMITS.maxPngSide} per side`,
    );
  } else if (width * height > UNDERLAY_LIMITS.maxPngPixels) {
    problems.push(
      `PNG: ${width * height} pixels; at most ${UNDERLAY_LIMITS.maxPngPixels} (scale the drawing down)`,
    );
  }
  if (problems.length > 0) throw refuseImage(...problems);
  return { mediaType: 'image/png', width, height };
}
