import { describe, expect, it } from 'vitest';
import { createLogger, maskLine, type LogLevel } from './logger';

function capture(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const log = createLogger({ service: 'identity', level, write: (line) => lines.push(line) });
  return { log, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('log lines', () => {
  it('are one JSON object each, with an ISO time, the level as a word, the service, the message and the fields', () => {
    const { log, lines, parsed } = capture();
    log.debug('d');
    log.info('i', { accountId: 'a-1' });
    log.warn('w');
    log.error('e', { ms: 2.5 });
    expect(lines.every((line) => !line.includes('\n'))).toBe(true);
    expect(parsed().map((l) => l.level)).toEqual(['debug', 'info', 'warn', 'error']);
    const [, info] = parsed();
    expect(info).toEqual({ time: expect.any(String), level: 'info', service: 'identity', msg: 'i', accountId: 'a-1' });
    expect(new Date(info.time as string).toISOString()).toBe(info.time);
  });

  it('are handed to `write` before the call returns', () => {
    const { log, lines } = capture();
    log.info('first');
    expect(lines).toHaveLength(1);
    log.child({ requestId: 'r-1' }).warn('second');
    expect(lines).toHaveLength(2);
  });

  it('leave out what is below the level, and everything when silent', () => {
    const warn = capture('warn');
    warn.log.debug('no');
    warn.log.info('no');
    warn.log.warn('yes');
    warn.log.error('yes');
    expect(warn.parsed().map((l) => l.msg)).toEqual(['yes', 'yes']);
    const silent = capture('silent');
    silent.log.error('no');
    silent.log.child({ requestId: 'r' }).error('no');
    expect(silent.lines).toEqual([]);
  });

  it('write bigints as decimal strings and errors as name, message and stack, at any depth', () => {
    const { log, parsed } = capture();
    const error = new TypeError('bad');
    log.info('amounts', { total: 12_345_678_901_234_567_890n, items: [{ amount: 135_000n }], error, nested: { cause: new Error('deep') } });
    const [line] = parsed();
    expect(line).toMatchObject({ total: '12345678901234567890', items: [{ amount: '135000' }], error: { name: 'TypeError', message: 'bad', stack: error.stack } });
    expect(line.nested).toEqual({ cause: { name: 'Error', message: 'deep', stack: expect.stringContaining('deep') } });
  });

  it('keep a message as it is written, percent signs included', () => {
    const { log, parsed } = capture();
    log.info('100% of %s done');
    expect(parsed()[0].msg).toBe('100% of %s done');
  });
});

describe('child loggers', () => {
  it('carry their fields (the request id) on every line, beside the line\'s own fields', () => {
    const { log, parsed } = capture();
    const request = log.child({ requestId: 'req-42' });
    request.info('graphql request', { operation: 'Me' });
    request.child({ accountId: 'a-1' }).warn('refused', { amount: 5n });
    expect(parsed()).toEqual([
      expect.objectContaining({ requestId: 'req-42', operation: 'Me', service: 'identity' }),
      expect.objectContaining({ requestId: 'req-42', accountId: 'a-1', amount: '5', level: 'warn' }),
    ]);
  });

  it('do not change their parent', () => {
    const { log, parsed } = capture();
    log.child({ requestId: 'req-1' }).info('in');
    log.info('out');
    expect(parsed()[1]).not.toHaveProperty('requestId');
  });
});

describe('secrets in log fields', () => {
  it('are redacted by name, at the top and inside headers, inputs and variables', () => {
    const { log, lines, parsed } = capture();
    log.warn('refused', {
      password: 'Hunter-22!', token: 'eyJ.a.b', accessToken: 'eyJ.c.d', refreshToken: 'r-secret', clientSecret: 'cs-secret', otp: '123456',
      authorization: 'Bearer eyJ.e.f',
      headers: { authorization: 'Bearer eyJ.g.h', cookie: 'sid=s3cr3t', 'x-gateway-proof': 'eyJ.proof', accept: 'application/json' },
      input: { username: 'citizen.a', password: 'In-put-1!' },
      variables: { newPassword: 'New-pass-1!', input: { otp: '654321' } },
    });
    expect(lines[0]).not.toMatch(/Hunter|eyJ|r-secret|cs-secret|123456|s3cr3t|In-put|New-pass|654321/);
    expect(parsed()[0]).toMatchObject({
      password: '[redacted]', token: '[redacted]', authorization: '[redacted]',
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-gateway-proof': '[redacted]', accept: 'application/json' },
      input: { username: 'citizen.a', password: '[redacted]' },
      variables: { newPassword: '[redacted]', input: { otp: '[redacted]' } },
    });
  });

  it('are redacted in a child\'s fields too', () => {
    const { log, lines } = capture();
    log.child({ token: 'eyJ.child' }).info('x');
    expect(lines[0]).not.toContain('eyJ.child');
  });

  it('leave codes alone: error codes and postal point codes are what many lines are about', () => {
    const { log, parsed } = capture();
    log.info('postal point closed', { code: 'HN-0001' });
    log.warn('request failed on a dependency', { code: 'SERVICE_UNAVAILABLE' });
    expect(parsed().map((l) => l.code)).toEqual(['HN-0001', 'SERVICE_UNAVAILABLE']);
  });
});

describe('personal data in log lines', () => {
  it('is masked in messages, fields, nested fields, error texts and child fields', () => {
    const { log, lines, parsed } = capture();
    log.child({ username: '035199000123' }).error('login 001190000123 failed', {
      phone: '0912345678', nested: { phones: ['+84912345678'] }, error: new Error('duplicate key (personal_id)=(079203000456)'),
    });
    expect(lines[0]).not.toMatch(/035199000123|001190000123|0912345678|84912345678|079203000456/);
    expect(parsed()[0]).toMatchObject({
      username: '035******123', msg: 'login 001******123 failed', phone: '091****678', nested: { phones: ['+8491****678'] },
      error: { message: 'duplicate key (personal_id)=(079******456)' },
    });
  });
});

describe('trace ids in log lines', () => {
  it('keeps a trace id whole even where its digits look like an ID number, and still masks the line around it', () => {
    const traceId = '0a001190000123bc0a001190000123bc';
    const spanId = '0912000001abcdef';
    const line = JSON.stringify({ level: 'info', traceId, spanId, msg: 'checked 001190000123 for 0912000001' });
    const written = JSON.parse(maskLine(line)) as Record<string, string>;
    expect(written.traceId).toBe(traceId);
    expect(written.spanId).toBe(spanId);
    expect(written.msg).toBe('checked 001******123 for 091****001');
  });

  it('exempts only the members tracing writes, never a value that imitates them', () => {
    const fake = '"traceId":"0a001190000123bc0a001190000123bc","spanId":"0912000001abcdef"';
    const line = JSON.stringify({ level: 'info', msg: fake });
    expect(maskLine(line)).not.toContain('001190000123');
  });
});
