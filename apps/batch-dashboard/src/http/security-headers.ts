import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * Security headers (helmet) with a strict Content Security Policy: scripts only from this app
 * (no inline script anywhere), no plugins, no framing, every fetch and the event stream to this
 * origin only. ag-grid's theme injects <style> elements: they carry a per-response nonce
 * (`style-src 'nonce-…'`, passed to the grid as styleNonce), so 'unsafe-inline' is not needed.
 * uPlot and ag-grid set element styles through the CSSOM, which CSP does not restrict.
 * ag-grid's icons are data: SVGs (img-src data:).
 *
 * Not set: upgrade-insecure-requests and HSTS. Site laptops serve this over plain HTTP on a
 * local network, where both would break the page; put a TLS proxy in front to add them.
 */
const styleNonces = new WeakMap<ServerResponse, string>();

/** The nonce for <style> elements in this response (the page hands it to the grid). */
export function styleNonceOf(response: ServerResponse): string {
  let nonce = styleNonces.get(response);
  if (nonce === undefined) {
    nonce = randomBytes(16).toString('base64');
    styleNonces.set(response, nonce);
  }
  return nonce;
}

export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'", 'data:'],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: [
    "'self'",
    (_request: unknown, response: unknown) => `'nonce-${styleNonceOf(response as ServerResponse)}'`,
  ],
  workerSrc: ["'self'"],
  upgradeInsecureRequests: null,
};

export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}

/** swagger-ui serves its own page: its CSP, without remote sources or upgrade-insecure-requests. */
export function swaggerUiCsp(hashes: {
  script: readonly string[];
  style: readonly string[];
}): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    `script-src 'self' ${hashes.script.join(' ')}`,
    "script-src-attr 'none'",
    `style-src 'self' ${hashes.style.join(' ')}`,
  ].join('; ');
}
