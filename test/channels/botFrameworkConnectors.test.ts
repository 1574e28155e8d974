import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { BotFrameworkAdapter } from '../../channels/botframework/mountBotFramework';

// No app id configured: requests are anonymous, as on a local Emulator, and no token is fetched.
const adapter = new BotFrameworkAdapter(new ConfigurationBotFrameworkAuthentication({}));
const activity = (serviceUrl: string) => ({ type: 'message', serviceUrl, channelId: 'emulator', conversation: { id: 'c' } }) as Activity;

describe('reply clients', () => {
  it('are made once per service URL and audience and reused by later turns', async () => {
    const first = await adapter.authenticate(activity('http://127.0.0.1:4699'), '');
    const second = await adapter.authenticate(activity('http://127.0.0.1:4699'), '');
    const client = await first.connectorFactory!.create('http://127.0.0.1:4699', first.audience);
    expect(await second.connectorFactory!.create('http://127.0.0.1:4699', second.audience)).toBe(client);
    const elsewhere = await second.connectorFactory!.create('http://127.0.0.1:4698', second.audience);
    expect(elsewhere).not.toBe(client);
    expect(await second.connectorFactory!.create('http://127.0.0.1:4699', 'https://api.botframework.us')).not.toBe(client);
  });
});
