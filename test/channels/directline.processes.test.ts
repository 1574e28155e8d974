/**
 * Two bot PROCESSES (`node dist/index.js`) on one Redis, as two instances behind a load balancer run: a widget
 * conversation started on one continues on the other through Microsoft's Direct Line client, mid-dialog, and goes on
 * after the process holding it restarts; what one process's turn writes reaches a WebSocket the other holds.
 * Each process keeps nothing of its own that the conversation needs.
 */
import { ConnectionStatus, DirectLineClient } from '../helpers/directLineClient';
import { startBotProcess, type BotProcess } from '../helpers/botProcess';
import { describeRedis, freePort, redisTestContext, TEST_REDIS_URL } from '../storage/redisTestSupport';

jest.setTimeout(120_000);

interface Shown {
  text?: string;
  from: { role?: string; id: string };
  channelData?: { intent?: string; slot?: string };
}

describeRedis('two bot processes on one Redis share the widget’s conversations', () => {
  const redis = redisTestContext();
  const processes: BotProcess[] = [];
  const clients: DirectLineClient[] = [];
  // A private key prefix; no token secret: the signing key is the one both processes find in Redis.
  const env = () => ({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: redis.prefix, DIRECT_LINE_TOKEN_SECRET: '' });
  const start = async (port?: number) => {
    const bot = await startBotProcess(port ?? (await freePort()), env());
    processes.push(bot);
    return bot;
  };
  const connect = (options: ConstructorParameters<typeof DirectLineClient>[0]) => {
    const client = new DirectLineClient(options);
    clients.push(client);
    return client;
  };
  const botReplies = (client: DirectLineClient) => (client.activities as unknown as Shown[]).filter((a) => a.from.role === 'bot' && a.text);
  const refresh = async (bot: BotProcess, token: string) => {
    const res = await fetch(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };

  afterAll(async () => {
    for (const c of clients) c.end();
    const codes = await Promise.all(processes.map((p) => p.stop()));
    await redis.cleanup();
    expect(codes.every((c) => c === 0)).toBe(true);
  });

  it('a conversation started on A is answered on B mid-dialog, and after B restarts it goes on with its history', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const issued = await fetch(`${a.url}/api/directline/token`, { method: 'POST' });
    expect(issued.status).toBe(200);
    const { token, conversationId } = (await issued.json()) as { token: string; conversationId: string };

    // On A, over WebSocket: the customer starts a dialog; the bot asks for the certificate type.
    const onA = connect({ token, domain: `${a.url}/v3/directline`, webSocket: true, conversationStartProperties: { locale: 'zh-CN' } });
    await onA.until(() => botReplies(onA).length > 0, 'the greeting');
    await onA.post({ type: 'message', text: '提示证件号码位数不正确', locale: 'zh-CN' } as Parameters<DirectLineClient['post']>[0]);
    await onA.until(() => botReplies(onA).some((r) => r.channelData?.slot === 'certType'), 'the certificate-type question');

    // On B, polling, with a token B refreshed: the answer to A's question continues the same dialog.
    const onB = connect({ token: await refresh(b, token), domain: `${b.url}/v3/directline`, conversationId, webSocket: false });
    await onB.untilStatus(ConnectionStatus.Online);
    await onB.post({ type: 'message', text: '居民身份证', locale: 'zh-CN' } as Parameters<DirectLineClient['post']>[0]);
    await onB.until(() => botReplies(onB).some((r) => r.channelData?.slot === 'certNumber'), 'the certificate-number question, asked on B');
    const seenOnB = onB.textsInOrder();
    expect(seenOnB).toContain('user:提示证件号码位数不正确'); // B streams the history A wrote
    // What B's turn wrote reaches the WebSocket A's process holds (Redis pub/sub between the processes).
    await onA.until(() => botReplies(onA).some((r) => r.channelData?.slot === 'certNumber'), "B's question on A's socket");
    expect(onA.texts()).toContain('user:居民身份证');
    onA.end();
    onB.end();

    // B restarts on the same address; a fresh client resumes from the start and sees everything, then finishes the dialog.
    expect(await b.stop()).toBe(0);
    const b2 = await start(b.port);
    const again = connect({ token: await refresh(b2, token), domain: `${b2.url}/v3/directline`, conversationId, webSocket: true });
    await again.until(() => botReplies(again).some((r) => r.channelData?.slot === 'certNumber'), 'the history after the restart');
    expect(again.textsInOrder().slice(0, seenOnB.length)).toEqual(seenOnB);
    await again.post({ type: 'message', text: '跳过', locale: 'zh-CN' } as Parameters<DirectLineClient['post']>[0]);
    await again.until(() => botReplies(again).some((r) => r.channelData?.intent === 'domain.cert-type-or-number' && !r.channelData.slot && /证件类型/.test(r.text ?? '')), 'the answer after the restart');
  });
});
