import { Writable } from 'stream';
import { createLogger } from '../../config/logger';

function captured() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

test('error texts are cut short and certificate numbers in them masked; user text is redacted', () => {
  const { logger, lines } = captured();
  logger.warn({ err: `connector said 400: <html>${'x'.repeat(50_000)}</html>` }, 'reply failed');
  logger.warn({ err: 'invalid number 11010519491231002X in request' }, 'odd');
  logger.info({ text: '我的证件号是11010519491231002X' }, 'message');
  expect(String(lines[0].err).length).toBeLessThanOrEqual(300);
  expect(JSON.stringify(lines)).not.toContain('11010519491231002X');
  expect(lines[2].text).toBe('[Redacted]');
});

test('Error objects keep their standard serialization', () => {
  const { logger, lines } = captured();
  logger.error({ err: new Error('boom') }, 'failed');
  expect(lines[0].err).toMatchObject({ type: 'Error', message: 'boom' });
});
