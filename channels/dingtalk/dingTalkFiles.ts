import { send, type OutboundPolicy } from '../../net/outbound';

export interface DingTalkAppCredentials {
  appKey: string;
  appSecret: string;
  robotCode: string;
}

/** Refresh the access token this long before DingTalk says it expires. */
const TOKEN_MARGIN_MS = 5 * 60 * 1000;

/**
 * DingTalk's robot file API: a picture in a robot callback carries only a downloadCode, which the app exchanges for a
 * short-lived download URL (POST /v1.0/robot/messageFiles/download with an app access token).
 */
export class DingTalkFiles {
  private token?: { value: string; expiresAt: number };

  constructor(
    private readonly credentials: DingTalkAppCredentials,
    private readonly apiBase: string,
    private readonly policy: OutboundPolicy,
  ) {}

  /** The download URL of a received file; rejects when DingTalk does not give one. */
  async downloadUrl(downloadCode: string): Promise<string> {
    const body = await this.post('/v1.0/robot/messageFiles/download', { downloadCode, robotCode: this.credentials.robotCode }, await this.accessToken());
    if (typeof body.downloadUrl !== 'string') throw new Error('DingTalk gave no download URL');
    return body.downloadUrl;
  }

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) return this.token.value;
    const body = await this.post('/v1.0/oauth2/accessToken', { appKey: this.credentials.appKey, appSecret: this.credentials.appSecret });
    if (typeof body.accessToken !== 'string' || typeof body.expireIn !== 'number') throw new Error('DingTalk gave no access token');
    this.token = { value: body.accessToken, expiresAt: Date.now() + body.expireIn * 1000 - TOKEN_MARGIN_MS };
    return body.accessToken;
  }

  private async post(path: string, payload: Record<string, string>, token?: string): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers['x-acs-dingtalk-access-token'] = token;
    const response = await send(`${this.apiBase}${path}`, { method: 'POST', headers, body: JSON.stringify(payload) }, this.policy);
    if (response.status !== 200) throw new Error(`DingTalk API answered ${response.status}`);
    const body: unknown = JSON.parse(response.body.toString('utf8'));
    if (!body || typeof body !== 'object') throw new Error('DingTalk API answered no object');
    return body as Record<string, unknown>;
  }
}
