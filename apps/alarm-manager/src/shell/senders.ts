import nodemailer, { type Transporter } from 'nodemailer';
import { errorMessage } from '@geostream/platform';
import type { ClaimedNotification } from '@geostream/sinks';
import { emailMessage, webhookRequest } from '../core/notification-content';

/** What one attempt to hand a notification to its receiver came to. */
export type DeliveryResult =
  | { readonly delivered: true }
  | { readonly delivered: false; readonly retriable: boolean; readonly error: string };

export interface Sender {
  deliver(notification: ClaimedNotification): Promise<DeliveryResult>;
  close(): void;
}

export interface SenderOptions {
  readonly timeoutMs: number;
  /** SMTP_URL; undefined: e-mail is not configured and e-mail routes fail (visibly). */
  readonly smtpUrl: string | undefined;
  readonly from: string;
  readonly dashboardUrl: string;
  readonly clock: () => number;
}

const failed = (retriable: boolean, error: string): DeliveryResult => ({
  delivered: false,
  retriable,
  error,
});

/**
 * Webhooks: a POST of the payload as JSON, signed (HMAC-SHA256 of timestamp and body with the
 * route's secret), with the idempotency key as a header. 2xx is delivered; 408, 429 and 5xx
 * and network errors are worth another attempt; any other status is a refusal for good.
 * E-mail: one message per notification to the route's recipients over SMTP (nodemailer), with a
 * Message-ID derived from the idempotency key, so every resend carries the same one. SMTP 5xx
 * is a refusal for good; 4xx and connection errors are retried.
 */
export function createSender(options: SenderOptions): Sender {
  let mailer: Transporter | undefined;
  const transport = (): Transporter => {
    mailer ??= nodemailer.createTransport({
      url: options.smtpUrl as string,
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    });
    return mailer;
  };

  async function webhook(n: ClaimedNotification): Promise<DeliveryResult> {
    if (n.secret === null) return failed(false, 'the webhook route has no secret');
    const request = webhookRequest(n.payload, n.secret, Math.floor(options.clock() / 1000));
    let response: Response;
    try {
      response = await fetch(n.target, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      return failed(true, `${errorMessage(error)}${cause ? `: ${errorMessage(cause)}` : ''}`);
    }
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return { delivered: true };
    const status = response.status;
    return failed(
      status === 408 || status === 429 || status >= 500,
      `HTTP ${status} ${response.statusText}`.trim(),
    );
  }

  async function email(n: ClaimedNotification): Promise<DeliveryResult> {
    if (options.smtpUrl === undefined)
      return failed(true, 'e-mail is not configured (SMTP_URL is not set)');
    const to = n.target
      .split(',')
      .map((address) => address.trim())
      .filter((address) => address !== '');
    const message = emailMessage(n.payload, n.routeId, options);
    try {
      const info = (await transport().sendMail({
        from: options.from,
        to,
        subject: message.subject,
        text: message.text,
        messageId: message.messageId,
        headers: message.headers,
      })) as { rejected?: unknown[] };
      if ((info.rejected?.length ?? 0) > 0 && info.rejected?.length === to.length)
        return failed(false, `every recipient was refused: ${to.join(', ')}`);
      return { delivered: true };
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode;
      const permanent = typeof code === 'number' && code >= 500 && code < 600;
      return failed(!permanent, errorMessage(error));
    }
  }

  return {
    deliver: (n) => (n.channel === 'webhook' ? webhook(n) : email(n)),
    close() {
      mailer?.close();
    },
  };
}
