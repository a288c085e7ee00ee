import { crc32, deflateSync } from 'node:zlib';

/** Test images: a real PNG built from its chunks (so tests can also break it on purpose). */
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB PNG of one colour, width x height pixels. */
export function makePng(
  width: number,
  height: number,
  rgb: [number, number, number] = [200, 220, 240],
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  const row = Buffer.concat([
    Buffer.from([0]),
    Buffer.from(Array.from({ length: width }, () => rgb).flat()),
  ]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A drawing of `width` x `height` viewBox units with a filled square of `side` centred at (cx, cy). */
export function markerSvg(options: {
  width: number;
  height: number;
  cx: number;
  cy: number;
  side: number;
  colour: string;
}): string {
  const { width, height, cx, cy, side, colour } = options;
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
  <title>test drawing</title>
  <rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff" stroke="#333333" stroke-width="2"/>
  <rect x="${cx - side / 2}" y="${cy - side / 2}" width="${side}" height="${side}" fill="${colour}"/>
</svg>
`;
}
