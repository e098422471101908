import type { Logger } from '../../../shared/src';
import { maskPhone } from '../../../shared/src';

/** Where one-time codes go. Production posts to the operator's SMS gateway; development keeps them. */
export interface SmsSender { send(phone: string, text: string): Promise<void> }

export interface RecordedSms { phone: string; text: string; sentAt: string }

/** Development only: keeps the last messages so that `GET /dev/sms?phone=…` can show them. */
export class DevSmsOutbox implements SmsSender {
  private readonly messages: RecordedSms[] = [];
  constructor(private readonly log: Logger, private readonly capacity = 1000) {}
  async send(phone: string, text: string): Promise<void> {
    this.messages.push({ phone, text, sentAt: new Date().toISOString() });
    if (this.messages.length > this.capacity) this.messages.shift();
    this.log.info('sms recorded in the development outbox', { phone: maskPhone(phone) });
  }
  /** Newest first. */
  list(phone?: string): RecordedSms[] {
    return this.messages.filter((m) => !phone || m.phone === phone).reverse();
  }
}

/** Posts `{ to, text }` as JSON to the SMS gateway with a bearer token; any non-2xx is a failure. */
export class HttpSmsSender implements SmsSender {
  constructor(private readonly url: string, private readonly token: string | undefined) {}
  async send(phone: string, text: string): Promise<void> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ to: phone, text }),
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
  }
}
