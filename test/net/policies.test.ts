import { readSettings } from '../../config/settings';
import { checkUrl, OutboundError } from '../../net/outbound';
import { outboundPolicies } from '../../net/policies';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as OutboundError).code;
  }
  return 'allowed';
};

describe('outbound policies from the default configuration', () => {
  const policies = outboundPolicies(readSettings({}));

  it('posts to session webhooks only on DingTalk’s hosts, over https', () => {
    expect(code(() => checkUrl('https://oapi.dingtalk.com/robot/sendBySession?session=x', policies.dingTalkWebhook))).toBe('allowed');
    expect(code(() => checkUrl('https://api.dingtalk.com/v1.0/robot/x', policies.dingTalkWebhook))).toBe('allowed');
    expect(code(() => checkUrl('http://oapi.dingtalk.com/robot/send', policies.dingTalkWebhook))).toBe('scheme');
    expect(code(() => checkUrl('https://oapi.dingtalk.com.evil.example/robot/send', policies.dingTalkWebhook))).toBe('host');
    expect(code(() => checkUrl('https://127.0.0.1/robot/send', policies.dingTalkWebhook))).toBe('host');
  });

  it('downloads attachments only from Bot Framework, Teams and DingTalk hosts', () => {
    expect(code(() => checkUrl('https://directline.botframework.com/attachments/1', policies.attachment))).toBe('allowed');
    expect(code(() => checkUrl('https://us-api.asm.skype.com/v1/objects/1', policies.attachment))).toBe('allowed');
    expect(code(() => checkUrl('https://smba.trafficmanager.net/apis/v3/attachments/1', policies.attachment))).toBe('allowed');
    expect(code(() => checkUrl('https://evil.trafficmanager.net/x', policies.attachment))).toBe('host');
    expect(code(() => checkUrl('https://169.254.169.254/latest/meta-data', policies.attachment))).toBe('host');
    expect(code(() => checkUrl('http://directline.botframework.com/attachments/1', policies.attachment))).toBe('scheme');
  });

  it('replies to any public https serviceUrl, never to loopback or private addresses unless listed', () => {
    expect(code(() => checkUrl('https://smba.trafficmanager.net/amer/', policies.connector))).toBe('allowed');
    expect(code(() => checkUrl('https://10.0.0.5/', policies.connector))).toBe('address');
    const local = outboundPolicies(readSettings({ OUTBOUND_PRIVATE_NETWORKS: '127.0.0.1', OUTBOUND_ALLOW_HTTP: 'true', SERVICE_URL_HOSTS: '127.0.0.1' }));
    expect(code(() => checkUrl('http://127.0.0.1:3978/', local.connector))).toBe('allowed');
    expect(code(() => checkUrl('https://smba.trafficmanager.net/amer/', local.connector))).toBe('host');
  });
});
