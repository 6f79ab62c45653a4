/**
 * The channels beyond the inbox: email over SMTP (nodemailer, `SMTP_URL`) and SMS through the
 * deployment's SMS gateway 短信平台 over HTTP (`SMS_GATEWAY_URL`). A channel throws
 * `DeliveryRefused` when the address will never take the message (it is recorded as failed);
 * any other error means the channel is down, and the delivery is tried again later.
 */
import nodemailer from 'nodemailer';

export interface OutgoingMessage {
  /** Stable per notification and channel, so a receiver can drop a message sent twice after a crash. */
  deliveryKey: string;
  to: string;
  subject: string;
  text: string;
  /** The platform's page for the notification's case or tier objection, for the recipient's role. */
  pagePath: string | null;
}

export interface NotificationChannel {
  send(message: OutgoingMessage): Promise<void>;
}

export interface NotificationChannels {
  email: NotificationChannel | null;
  sms: NotificationChannel | null;
}

/** The address is refused for good (unknown mailbox, invalid number): retrying will not help. */
export class DeliveryRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryRefused';
  }
}

/**
 * Email through the SMTP server of `smtpUrl` (smtp:// or smtps://, credentials in the URL). With
 * the platform's address, an email ends with the address of the page where its step is taken.
 */
export function smtpChannel(smtpUrl: string, from: string, platformUrl: string | null = null): NotificationChannel & { close(): void } {
  // Short timeouts: a delivery holds its row lock while it sends, and a server that does not answer is down.
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  const platform = platformUrl?.replace(/\/+$/, '') ?? null;
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: platform && message.pagePath ? `${message.text}\n\n在培育平台办理：${platform}${message.pagePath}` : message.text,
          messageId: `<${message.deliveryKey}@mingteyouxin.invalid>`,
          headers: { 'X-Delivery-Key': message.deliveryKey },
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx is the server's permanent answer about this message or mailbox; 4xx and network errors pass.
        if (typeof code === 'number' && code >= 500 && code < 600) {
          throw new DeliveryRefused(`SMTP ${code}: ${(err as Error).message}`);
        }
        throw err;
      }
    },
    close: () => transport.close(),
  };
}

/**
 * SMS through the gateway: `POST {gatewayUrl}` with JSON `{ "messageId", "mobile", "content" }`;
 * any 2xx is accepted, 400/404/422 refuse the number for good, anything else (or no answer in
 * 10 s) means the gateway is down.
 */
export function smsGatewayChannel(gatewayUrl: string): NotificationChannel {
  return {
    async send(message) {
      const response = await fetch(gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': message.deliveryKey },
        body: JSON.stringify({ messageId: message.deliveryKey, mobile: message.to, content: `【名特优新】${message.subject}：${message.text}` }),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return;
      const answer = (await response.text()).slice(0, 200);
      if ([400, 404, 422].includes(response.status)) throw new DeliveryRefused(`SMS gateway ${response.status}: ${answer}`);
      throw new Error(`SMS gateway ${response.status}: ${answer}`);
    },
  };
}

/** The channels a deployment configured; an unconfigured one is null. */
export function createNotificationChannels(config: { smtpUrl: string | null; smtpFrom: string; smsGatewayUrl: string | null; platformUrl?: string | null }): NotificationChannels {
  return {
    email: config.smtpUrl ? smtpChannel(config.smtpUrl, config.smtpFrom, config.platformUrl ?? null) : null,
    sms: config.smsGatewayUrl ? smsGatewayChannel(config.smsGatewayUrl) : null,
  };
}
