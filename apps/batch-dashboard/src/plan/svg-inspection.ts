import { SaxesParser, type SaxesTagNS } from 'saxes';

/**
 * An SVG site drawing is accepted only if it is a static picture: strict XML (saxes, a
 * conformant XML 1.0 parser), no DOCTYPE (no entities, no external DTD), no processing
 * instruction, an <svg> root in the SVG namespace, SVG elements from a list of drawing elements
 * (no script, foreignObject, animation or links), other namespaces only for editors' metadata
 * (Inkscape, Sodipodi, RDF, Creative Commons, Dublin Core, Illustrator), no event attribute
 * (on*), and no reference outside the document: every href is '#…' (an <image> may also embed
 * a PNG or JPEG as a data: URL) and every url(…) in an attribute or a <style> is url(#…).
 * Anything else is refused with the reason and its line, never "cleaned" silently: the admin
 * re-exports the drawing. The image route serves it with a CSP that forbids scripts and every
 * load as well, so a drawing opened on its own runs nothing either.
 */
const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

const METADATA_NAMESPACES = new Set([
  'http://www.inkscape.org/namespaces/inkscape',
  'http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd',
  'http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd',
  'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  'http://creativecommons.org/ns#',
  'http://web.resource.org/cc/',
  'http://purl.org/dc/elements/1.1/',
  'http://ns.adobe.com/AdobeIllustrator/10.0/',
  'http://ns.adobe.com/Extensibility/1.0/',
  'http://ns.adobe.com/Graphs/1.0/',
  'http://ns.adobe.com/Variables/1.0/',
  'http://ns.adobe.com/SaveForWeb/1.0/',
  'http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/',
]);

const DRAWING_ELEMENTS = new Set([
  'svg',
  'g',
  'defs',
  'desc',
  'title',
  'metadata',
  'symbol',
  'use',
  'switch',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'text',
  'tspan',
  'textPath',
  'image',
  'style',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'clipPath',
  'mask',
  'marker',
  'filter',
  'feBlend',
  'feColorMatrix',
  'feComponentTransfer',
  'feComposite',
  'feConvolveMatrix',
  'feDiffuseLighting',
  'feDisplacementMap',
  'feDistantLight',
  'feDropShadow',
  'feFlood',
  'feFuncA',
  'feFuncB',
  'feFuncG',
  'feFuncR',
  'feGaussianBlur',
  'feMerge',
  'feMergeNode',
  'feMorphology',
  'feOffset',
  'fePointLight',
  'feSpecularLighting',
  'feSpotLight',
  'feTile',
  'feTurbulence',
]);

const MAX_DEPTH = 200;
const MAX_PROBLEMS = 10;
/** url(...) whose target is not a fragment of this document. */
const EXTERNAL_URL = /url\(\s*(?!['"]?\s*#)/i;
const EMBEDDED_RASTER = /^data:image\/(png|jpeg);base64,[a-z0-9+/=\s]*$/i;

export interface SvgSize {
  readonly width: number;
  readonly height: number;
}

export type SvgInspection =
  | { readonly ok: true; readonly size: SvgSize }
  | { readonly ok: false; readonly problems: readonly string[] };

export function inspectSvg(bytes: Buffer): SvgInspection {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, problems: ['SVG: not valid UTF-8 text'] };
  }
  const problems: string[] = [];
  const problem = (line: number, reason: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(`SVG line ${line}: ${reason}`);
  };
  const parser = new SaxesParser({ xmlns: true, position: true });
  const open: string[] = [];
  let size: SvgSize | undefined;
  let rootSeen = false;
  let wellFormed = true;

  parser.on('error', (error) => {
    if (wellFormed) problems.unshift(`SVG: not well-formed XML: ${error.message}`);
    wellFormed = false;
  });
  parser.on('doctype', () =>
    problem(parser.line, 'a DOCTYPE is not accepted (entities and external DTDs are refused)'),
  );
  parser.on('processinginstruction', (pi) =>
    problem(parser.line, `processing instruction <?${pi.target}?> is not accepted`),
  );
  parser.on('opentag', (tag: SaxesTagNS) => {
    const line = parser.line;
    open.push(tag.local);
    if (open.length > MAX_DEPTH) problem(line, `elements nested deeper than ${MAX_DEPTH}`);
    if (!rootSeen) {
      rootSeen = true;
      if (tag.uri !== SVG_NS || tag.local !== 'svg') {
        problem(line, `the root element must be <svg> in the SVG namespace (${SVG_NS})`);
      } else {
        size = sizeOf(tag, (reason) => problem(line, reason));
      }
    }
    if (tag.uri === SVG_NS) {
      if (!DRAWING_ELEMENTS.has(tag.local)) {
        problem(line, `<${tag.name}> is not accepted: an underlay is a static drawing`);
      }
    } else if (!METADATA_NAMESPACES.has(tag.uri)) {
      problem(
        line,
        `<${tag.name}> (namespace ${JSON.stringify(tag.uri)}) is not accepted: only SVG and editors' metadata`,
      );
    }
    for (const attribute of Object.values(tag.attributes)) {
      const name = attribute.name;
      if (/^on/i.test(attribute.local)) {
        problem(line, `event attribute ${name} is not accepted`);
      } else if (
        attribute.local === 'href' &&
        (attribute.uri === '' || attribute.uri === XLINK_NS)
      ) {
        const target = attribute.value.trim();
        const embedded = tag.local === 'image' && EMBEDDED_RASTER.test(target);
        if (!target.startsWith('#') && !embedded) {
          problem(
            line,
            `${name}="${target.slice(0, 60)}" points outside the drawing (only #id, or a PNG/JPEG data: URL in <image>)`,
          );
        }
      } else if (EXTERNAL_URL.test(attribute.value)) {
        problem(line, `${name} refers outside the drawing (only url(#id) is accepted)`);
      }
    }
  });
  parser.on('closetag', () => open.pop());
  const checkText = (content: string): void => {
    if (open.at(-1) !== 'style') return;
    if (/@import/i.test(content)) problem(parser.line, '@import in <style> is not accepted');
    if (EXTERNAL_URL.test(content)) {
      problem(parser.line, 'url(…) in <style> refers outside the drawing');
    }
  };
  parser.on('text', checkText);
  parser.on('cdata', checkText);

  try {
    parser.write(text).close();
  } catch (error) {
    // saxes reports through the error handler; anything thrown past it is malformed input too.
    if (wellFormed) problems.unshift(`SVG: not well-formed XML: ${(error as Error).message}`);
  }
  if (!rootSeen && problems.length === 0) problems.push('SVG: no root element');
  if (problems.length === 0 && size === undefined) problems.push('SVG: no size');
  return problems.length > 0 || size === undefined ? { ok: false, problems } : { ok: true, size };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * The drawing's own coordinate space: its viewBox size (what CAD exports and control points
 * use), else width and height in px (or unitless). Anything else has no defined size.
 */
function sizeOf(tag: SaxesTagNS, refuse: (reason: string) => void): SvgSize | undefined {
  const attribute = (name: string) => tag.attributes[name]?.value.trim();
  const viewBox = attribute('viewBox');
  if (viewBox !== undefined) {
    const parts = viewBox.split(/[\s,]+/).filter((part) => part !== '');
    const numbers = parts.map(Number);
    if (parts.length !== 4 || !parts.every((part) => NUMBER.test(part))) {
      refuse(`viewBox="${viewBox.slice(0, 60)}" is not four numbers`);
      return undefined;
    }
    const [, , width, height] = numbers as [number, number, number, number];
    if (!(width > 0 && height > 0 && Number.isFinite(width) && Number.isFinite(height))) {
      refuse('the viewBox width and height must be positive');
      return undefined;
    }
    return { width, height };
  }
  const length = (value: string | undefined): number | undefined => {
    const match = value === undefined ? null : /^(.*?)(px)?$/.exec(value);
    const number = match?.[1];
    return number !== undefined && NUMBER.test(number) ? Number(number) : undefined;
  };
  const width = length(attribute('width'));
  const height = length(attribute('height'));
  if (width === undefined || height === undefined || !(width > 0 && height > 0)) {
    refuse(
      'give the <svg> a viewBox (or a width and height in px): its size is the space control points are given in',
    );
    return undefined;
  }
  return { width, height };
}
