import { readSettings, teamsDeskReference } from '../../config/settings';

describe('HANDOFF_TEAMS_CONVERSATION', () => {
  it('takes a conversation reference as JSON', () => {
    const reference = teamsDeskReference({
      HANDOFF_TEAMS_CONVERSATION: JSON.stringify({ serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: '19:desk@thread.tacv2', tenantId: 't-1' }, bot: { id: '28:app' } }),
    });
    expect(reference).toEqual({
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      conversation: { id: '19:desk@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: 't-1' },
      bot: { id: '28:app', name: '' },
    });
  });

  it('keeps the conversation type of a group chat given as the desk', () => {
    const reference = teamsDeskReference({ HANDOFF_TEAMS_CONVERSATION: JSON.stringify({ serviceUrl: 'https://smba.trafficmanager.net/emea/', conversation: { id: '19:chat@thread.v2', conversationType: 'groupChat' } }) });
    expect(reference?.conversation).toEqual({ id: '19:chat@thread.v2', conversationType: 'groupChat', isGroup: true });
  });

  it('or the channel’s conversation id with HANDOFF_TEAMS_SERVICE_URL and HANDOFF_TEAMS_TENANT_ID', () => {
    const settings = readSettings({ HANDOFF_TEAMS_CONVERSATION: '19:desk@thread.tacv2', HANDOFF_TEAMS_SERVICE_URL: 'https://smba.trafficmanager.net/apac/', HANDOFF_TEAMS_TENANT_ID: 't-2' });
    expect(settings.handoff.teamsConversation).toMatchObject({ serviceUrl: 'https://smba.trafficmanager.net/apac/', conversation: { id: '19:desk@thread.tacv2', tenantId: 't-2' } });
  });

  it('unset: no Teams desk; unusable: the start stops with a message naming the variable', () => {
    expect(readSettings({}).handoff.teamsConversation).toBeUndefined();
    expect(() => teamsDeskReference({ HANDOFF_TEAMS_CONVERSATION: '{"serviceUrl":' })).toThrow(/HANDOFF_TEAMS_CONVERSATION/);
    expect(() => teamsDeskReference({ HANDOFF_TEAMS_CONVERSATION: '19:desk@thread.tacv2' })).toThrow(/serviceUrl/);
    expect(() => teamsDeskReference({ HANDOFF_TEAMS_CONVERSATION: '{"serviceUrl":"https://x.example"}' })).toThrow(/conversation id/);
  });
});
