import { BadRequestError } from '../../src/errors';
import { UNDERLAY_LIMITS, inspectUnderlayImage } from '../../src/plan/underlay-image';
import { makePng, markerSvg } from '../support/images';

const refusal = (bytes: Buffer | string): string => {
  try {
    inspectUnderlayImage(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'));
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).code).toBe('invalid_image');
    return (error as BadRequestError).reasons.join('; ');
  }
  throw new Error('expected a refusal');
};

const svg = (body: string, root = 'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"') =>
  `<svg ${root}>${body}</svg>`;

describe('PNG by its content', () => {
  it('reads the size of a valid PNG', () => {
    expect(inspectUnderlayImage(makePng(30, 20))).toEqual({
      mediaType: 'image/png',
      width: 30,
      height: 20,
    });
  });

  it('refuses a corrupt, truncated or padded PNG', () => {
    const png = makePng(4, 4);
    const corrupt = Buffer.from(png);
    corrupt[20] = (corrupt[20] as number) ^ 0xff; // inside IHDR: its CRC no longer matches
    expect(refusal(corrupt)).toMatch(/CRC mismatch/);
    expect(refusal(png.subarray(0, png.length - 6))).toMatch(/truncated|past the end/);
    expect(refusal(Buffer.concat([png, Buffer.from('extra')]))).toMatch(/IEND|truncated/);
  });

  it('refuses a PNG too large to draw', () => {
    const huge = makePng(1, 1);
    huge.writeUInt32BE(UNDERLAY_LIMITS.maxPngSide + 1, 16); // width, then fix the CRC
    const { crc32 } = jest.requireActual<typeof import('node:zlib')>('node:zlib');
    huge.writeUInt32BE(crc32(huge.subarray(12, 29)), 29);
    expect(refusal(huge)).toMatch(/at most 16384 per side/);
  });

  it('refuses what is neither PNG nor SVG, and empty or oversized files', () => {
    expect(refusal(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toMatch(/not a PNG or an SVG/);
    expect(refusal(Buffer.alloc(0))).toMatch(/empty/);
    expect(refusal(Buffer.alloc(UNDERLAY_LIMITS.maxBytes + 1, 0x20))).toMatch(/at most 8388608/);
  });
});

describe('SVG: a static drawing only', () => {
  it('accepts a drawing and reads its viewBox size', () => {
    expect(
      inspectUnderlayImage(
        Buffer.from(
          markerSvg({ width: 200, height: 100, cx: 150, cy: 50, side: 10, colour: '#00f' }),
        ),
      ),
    ).toEqual({ mediaType: 'image/svg+xml', width: 200, height: 100 });
  });

  it("accepts editors' metadata, local references, styles and an embedded PNG", () => {
    const drawing = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     width="841mm" height="594mm" viewBox="0 0 841 594" inkscape:version="1.3">
  <sodipodi:namedview id="base"/>
  <style>.wall { stroke: url(#hatch); fill: none }</style>
  <defs><pattern id="hatch" width="4" height="4"><path d="M0 0L4 4"/></pattern></defs>
  <g inkscape:label="tunnel"><path class="wall" d="M0 0 L841 594"/><use xlink:href="#hatch"/></g>
  <image href="data:image/png;base64,iVBORw0KGgo=" width="10" height="10"/>
</svg>`;
    expect(inspectUnderlayImage(Buffer.from(drawing))).toMatchObject({ width: 841, height: 594 });
    expect(
      inspectUnderlayImage(
        Buffer.from(
          svg(
            '<rect width="1" height="1"/>',
            'xmlns="http://www.w3.org/2000/svg" width="300px" height="200"',
          ),
        ),
      ),
    ).toMatchObject({ width: 300, height: 200 });
  });

  it.each([
    ['a script', svg('<script>alert(1)</script>'), /<script> is not accepted/],
    [
      'an XHTML script',
      svg('<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'),
      /namespace/,
    ],
    [
      'foreignObject',
      svg('<foreignObject><div/></foreignObject>'),
      /<foreignObject> is not accepted/,
    ],
    [
      'an event attribute',
      svg('<rect onload="alert(1)" width="1" height="1"/>'),
      /event attribute onload/,
    ],
    [
      'a link',
      svg('<a href="https://evil.example/"><rect width="1" height="1"/></a>'),
      /<a> is not accepted|points outside/,
    ],
    [
      'an animation',
      svg('<set attributeName="href" to="javascript:alert(1)"/>'),
      /<set> is not accepted/,
    ],
    [
      'an external image',
      svg('<image href="https://evil.example/x.png" width="1" height="1"/>'),
      /points outside/,
    ],
    [
      'an external xlink:href',
      svg('<use xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="other.svg#a"/>'),
      /points outside/,
    ],
    ['a javascript: href', svg('<use href="javascript:alert(1)"/>'), /points outside/],
    [
      'an SVG data: URL image',
      svg('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="1" height="1"/>'),
      /points outside/,
    ],
    [
      'url() to elsewhere in an attribute',
      svg('<rect style="fill: url(https://evil.example/p)" width="1" height="1"/>'),
      /refers outside/,
    ],
    [
      'url() to elsewhere in a style',
      svg('<style>rect { fill: url( "http://x/y") }</style>'),
      /url\(…\) in <style>/,
    ],
    ['@import', svg('<style>@import "https://evil.example/a.css";</style>'), /@import/],
    [
      'a DOCTYPE with entities',
      '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">&a;</svg>',
      /DOCTYPE/,
    ],
    [
      'a stylesheet instruction',
      '<?xml-stylesheet href="https://evil.example/a.css"?>' + svg(''),
      /processing instruction/,
    ],
    ['another root', '<html xmlns="http://www.w3.org/1999/xhtml"/>', /root element must be <svg>/],
    ['no namespace', '<svg viewBox="0 0 1 1"/>', /root element must be <svg>/],
    ['no size', svg('', 'xmlns="http://www.w3.org/2000/svg"'), /give the <svg> a viewBox/],
    [
      'a size in mm without a viewBox',
      svg('', 'xmlns="http://www.w3.org/2000/svg" width="10mm" height="5mm"'),
      /viewBox/,
    ],
    ['a bad viewBox', svg('', 'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 -5 1"'), /positive/],
    [
      'malformed XML',
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect></svg>',
      /not well-formed/,
    ],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from('<svg '), Buffer.from([0xc3, 0x28]), Buffer.from('/>')]),
      /UTF-8/,
    ],
  ])('refuses %s', (_what, content, reason) => {
    expect(refusal(content)).toMatch(reason);
  });

  it('names the line of each problem', () => {
    expect(
      refusal(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">\n\n<script/></svg>`),
    ).toMatch(/SVG line 3: <script>/);
  });
});
