/** Both Direct Line stores keep one copy of an activity a client posts again (a retry with the same id). */
import type { Activity } from 'botbuilder';
import { MemoryConversationStore, type ConversationStore } from '../../channels/directline/conversationStore';
import { RedisConversationStore } from '../../channels/directline/redisConversationStore';
import { describeRedis, redisTestContext, waitReady } from '../storage/redisTestSupport';

const info = (id: string) => ({ id, user: { id: 'dl_user', name: 'Visitor' }, locale: 'zh-CN' });
const message = (id: string | undefined, text: string): Partial<Activity> => ({ type: 'message', id, text } as Partial<Activity>);

async function retriedOnce(store: ConversationStore): Promise<void> {
  const id = `conv-${Date.now()}`;
  await store.open(info(id));
  const first = await store.append(id, message(`${id}|cX`, '第一次'), { once: true });
  const again = await store.append(id, message(`${id}|cX`, '重发'), { once: true });
  expect(again).toEqual(first);
  await store.append(id, message(undefined, 'bot reply'));
  const { activities } = await store.after(id, undefined);
  expect(activities.map((a) => a.text)).toEqual(['第一次', 'bot reply']);
}

test('memory store: a retried activity is kept once, in its first place', async () => {
  await retriedOnce(new MemoryConversationStore());
});

describeRedis('Redis store', () => {
  const redis = redisTestContext();
  afterAll(() => redis.cleanup());

  test('a retried activity is kept once, in its first place', async () => {
    const client = redis.newClient();
    await waitReady(client);
    const store = new RedisConversationStore(client, { keyPrefix: redis.prefix, ttlSeconds: 60, maxActivities: 50 });
    try {
      await retriedOnce(store);
    } finally {
      await store.close('test over');
    }
  });
});
