/**
 * The widget as a customer meets it, in Debian's chromium with the real bot: a reload keeps the conversation, the upload
 * button sends a photo that gets the image check, the launcher and title bar on a host page (desktop and phone), the
 * page following the conversation's language, answers laid out as written, connectivity states.
 */
import * as http from 'http';
import * as zlib from 'zlib';
import type { AddressInfo } from 'net';
import type { Browser, Page } from 'playwright-core';
import { createApp } from '../../index';
import { readSettings } from '../../config/settings';
import { collectPageErrors, launchChromium, screenshot, WebChatPage } from '../helpers/browser';
import { listen } from '../helpers/servers';

jest.setTimeout(120_000);

let browser: Browser;
let server: http.Server;
let url: string;
let host: { url: string; close: () => Promise<void> };
let closeDirectLine: () => Promise<void>;

beforeAll(async () => {
  process.env.WEBCHAT_ALLOWED_ORIGINS = '*';
  const { app, directLine } = createApp(readSettings({}), { today: () => '2026-11-22' });
  delete process.env.WEBCHAT_ALLOWED_ORIGINS;
  server = http.createServer(app);
  directLine.attachWebSocket(server);
  closeDirectLine = () => directLine.close();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A host site on another origin with its own content, embedding the widget as a floating panel.
  host = await listen((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Console</title></head>
      <body style="margin:0;font-family:sans-serif"><h1 style="padding:16px">域名控制台</h1><p style="padding:0 16px">${'Domain list. '.repeat(40)}</p>
      <script src="${url}/webchat/widget.js" data-product="domain" data-site="china"></script></body></html>`);
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await closeDirectLine?.();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

async function open(target: string, options: { locale?: string; width?: number; height?: number } = {}): Promise<{ page: Page; chat: WebChatPage; errors: string[] }> {
  const context = await browser.newContext({ locale: options.locale ?? 'zh-CN', viewport: { width: options.width ?? 520, height: options.height ?? 900 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(target);
  return { page, chat: new WebChatPage(page), errors };
}

/** Sends a message and waits for a new bot message after it. */
async function sendAndWait(chat: WebChatPage, text: string): Promise<void> {
  const before = (await chat.botMessages()).length;
  await chat.send(text);
  const until = Date.now() + 15_000;
  while ((await chat.botMessages()).length <= before) {
    if (Date.now() > until) throw new Error(`no reply to "${text}"`);
    await chat.page.waitForTimeout(100);
  }
}

const sendBoxPlaceholder = (page: Page) => page.locator('[data-id="webchat-sendbox-input"], .webchat__send-box-text-box__input').first().getAttribute('placeholder');

/** A real (decodable) 100×100 PNG: the photo a customer renamed to .jpg. */
function png(size = 100): Buffer {
  const chunk = (type: string, body: Buffer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type), body])));
    return Buffer.concat([head, Buffer.from(type), body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, 200)]);
  const pixels = zlib.deflateSync(Buffer.concat(Array(size).fill(row)));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}
const RENAMED_PNG = png();

test('a reload keeps the conversation and its open question; the upload button sends a photo and the answer shows the check', async () => {
  const { page, chat, errors } = await open(`${url}/?locale=zh-CN`);
  try {
    await chat.waitUntilConnected();
    await chat.waitForBotMessage(/粘贴/);
    await chat.send('上传的文件格式不支持，我传的明明是jpg啊');
    await chat.waitForBotMessage('中国站还是国际站');
    const before = await page.evaluate(() => (window as unknown as { supportWidget: { directLine: { conversationId: string } } }).supportWidget.directLine.conversationId);

    await page.reload();
    await chat.waitUntilConnected();
    await chat.waitForBotMessage('中国站还是国际站');
    expect(await chat.userMessages()).toEqual(['上传的文件格式不支持，我传的明明是jpg啊']);
    const after = await page.evaluate(() => (window as unknown as { supportWidget: { directLine: { conversationId: string } } }).supportWidget.directLine.conversationId);
    expect(after).toBe(before);
    const saved = await page.evaluate(() => JSON.parse(Object.entries(sessionStorage).find(([k]) => k.startsWith('support-widget:'))?.[1] ?? '{}'));
    expect(saved).toEqual(expect.objectContaining({ conversationId: before, token: expect.any(String), watermark: expect.stringMatching(/^\d+$/) }));

    // The question asked before the reload is still the open one.
    await chat.send('中国站');
    await chat.waitForBotMessage('仅支持 JPG 或 BMP');

    await page.locator('input[type="file"]').first().setInputFiles({ name: '身份证.jpg', mimeType: 'image/jpeg', buffer: RENAMED_PNG });
    // The photo waits in the send box (the customer may add words) and goes with the send button.
    await screenshot(page, 'widget-upload-attached.png');
    await page.locator('.webchat__send-box button[title], .webchat__send-button').last().click();
    const check = await chat.waitForBotMessage(/实际是 PNG/);
    expect(check).toMatch(/后缀是 \.jpg/);
    expect(check).toMatch(/小于下限/);
    // The customer's photo shows in the transcript as a picture, not as a file card, also after a reload.
    const shownAsPicture = async () => {
      const bubble = page.locator('.webchat__bubble--from-user').last();
      await bubble.locator('img').first().waitFor({ state: 'visible', timeout: 10_000 });
      expect(await bubble.locator('.webchat__fileContent').count()).toBe(0);
    };
    await shownAsPicture();
    await screenshot(page, 'widget-reload-upload.png');
    await page.reload();
    await chat.waitUntilConnected();
    await chat.waitForBotMessage(/实际是 PNG/);
    await shownAsPicture();
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
  }
});

test('an English conversation on a Chinese browser: English placeholder and strings; a list, then a note as its own paragraph', async () => {
  const { page, chat, errors } = await open(`${url}/`, { locale: 'zh-CN' });
  try {
    await chat.waitUntilConnected();
    await chat.waitForBotMessage(/粘贴/);
    expect(await sendBoxPlaceholder(page)).not.toMatch(/Type your message/);
    await chat.send('Submitted information shows an overseas user');
    await chat.waitForBotMessage('Where is the domain holder based?');
    await page.waitForFunction(() => document.title === 'Support');
    expect(await sendBoxPlaceholder(page)).toBe('Type your message');
    expect(await page.locator('#support-title').innerText()).toBe('Support');
    // Every suggestion is on screen, wrapped rather than behind carousel arrows.
    for (const title of ['Chinese mainland', 'Hong Kong (China)', 'Macao (China)', 'Taiwan (China)', 'Other countries and regions']) {
      await expect(chat.suggestedAction(title).isVisible()).resolves.toBe(true);
    }
    expect(await page.locator('.webchat__suggested-actions__carousel, [aria-label="Right"], .react-film__flipper').count()).toBe(0);
    await screenshot(page, 'widget-english-suggestions.png');

    await chat.send('not sure');
    await chat.waitForBotMessage(/CNNIC has not authorized/);
    const blocks = await page.evaluate(() => {
      const bubbles = Array.from(document.querySelectorAll('.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content'));
      const answer = bubbles.find((b) => b.textContent?.includes('CNNIC has not authorized')) as HTMLElement;
      const note = Array.from(answer.querySelectorAll('p')).find((p) => p.textContent?.startsWith('Note: CNNIC'));
      return {
        lists: answer.querySelectorAll('ol > li').length,
        bullets: answer.querySelectorAll('ul > li').length,
        noteIsParagraph: !!note,
        noteInsideList: !!note?.closest('li'),
        lastBullet: Array.from(answer.querySelectorAll('ul > li')).at(-1)?.textContent,
      };
    });
    expect(blocks).toEqual({ lists: 2, bullets: 5, noteIsParagraph: true, noteInsideList: false, lastBullet: 'Other countries and regions: companies/organizations no, use the international site; individuals no, use the international site' });
    await page.locator('.webchat__bubble__content', { hasText: 'CNNIC has not authorized' }).last().scrollIntoViewIfNeeded();
    await screenshot(page, 'widget-list-then-note.png');
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
  }
});

test.each([
  ['desktop', 1280, 800],
  ['phone', 390, 844],
])('on a host page (%s): launcher, minimise keeps the chat, close and reopen resume it', async (name, width, height) => {
  const { page, chat, errors } = await open(host.url, { locale: 'zh-CN', width, height });
  try {
    const launcher = page.getByRole('button', { name: '打开在线客服' });
    await launcher.waitFor();
    expect(await page.locator('#support-webchat').isVisible()).toBe(false);
    await screenshot(page, `widget-${name}-launcher.png`);
    const box = await launcher.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(64);

    await launcher.click();
    await chat.waitForBotMessage(/粘贴/);
    const panel = await page.locator('#support-webchat').boundingBox();
    if (name === 'phone') expect(panel).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    else expect(panel!.width).toBeLessThanOrEqual(400);
    await sendAndWait(chat, '实名提示不在实名库中');
    const shown = await chat.botMessages();
    await screenshot(page, `widget-${name}-open.png`);

    await page.locator('.sw-titlebar').getByRole('button', { name: '最小化' }).click();
    expect(await page.locator('#support-webchat').isVisible()).toBe(false);
    await launcher.click();
    expect(await chat.botMessages()).toEqual(shown);
    expect(await chat.userMessages()).toEqual(['实名提示不在实名库中']);

    await page.locator('.sw-titlebar').getByRole('button', { name: '关闭' }).click();
    expect(await page.locator('#support-webchat').isVisible()).toBe(false);
    expect(await launcher.isVisible()).toBe(true);
    await launcher.click();
    await chat.waitForBotMessage(shown.at(-1)!.trim());
    expect(await chat.userMessages()).toEqual(['实名提示不在实名库中']);
    await screenshot(page, `widget-${name}-reopened.png`);
    expect(errors).toEqual([]);
  } finally {
    await page.context().close();
  }
});

test('a conversation that cannot be resumed is said so, in the customer language, and one click starts a new one', async () => {
  const { page, chat, errors } = await open(`${url}/?locale=en-US`, { locale: 'en-US' });
  try {
    await chat.waitUntilConnected();
    await chat.waitForBotMessage(/paste/i);
    // The server no longer knows the saved conversation (forgotten, or a token of another server).
    await page.evaluate(() => {
      const [key, value] = Object.entries(sessionStorage).find(([k]) => k.startsWith('support-widget:'))!;
      sessionStorage.setItem(key, JSON.stringify({ ...JSON.parse(value), conversationId: 'gone', token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.forged' }));
    });
    await page.reload();
    const notice = page.locator('.sw-notice');
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(/previous conversation has ended or expired/);
    await screenshot(page, 'widget-cannot-resume.png');
    await page.getByRole('button', { name: 'Start a new conversation' }).click();
    await chat.waitForBotMessage(/paste/i);
    expect(await notice.isVisible()).toBe(false);
    await sendAndWait(chat, 'hello');
    // The console errors of the refused refresh/resume requests are the browser's own network log, not page errors.
    expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  } finally {
    await page.context().close();
  }
});

test('connectivity: offline and recovered are shown, localized', async () => {
  const { page, chat } = await open(`${url}/?locale=zh-CN`);
  try {
    await chat.waitUntilConnected();
    await chat.waitForBotMessage(/粘贴/);
    const status = page.locator('.sw-status');
    await page.context().setOffline(true);
    await page.waitForFunction(() => document.querySelector('.sw-status')?.getAttribute('data-state') === 'offline');
    expect(await status.innerText()).toBe('网络已断开，恢复后会自动重新连接。');
    await screenshot(page, 'widget-offline.png');
    await page.context().setOffline(false);
    await page.waitForFunction(() => document.querySelector('.sw-status')?.getAttribute('data-state') === 'recovered');
    expect(await status.innerText()).toBe('已重新连接。');
    await sendAndWait(chat, '实名提示不在实名库中');
  } finally {
    await page.context().close();
  }
});
