/**
 * The real bot in the widget, in Debian's chromium. A customer who pastes a whole document (more than Direct Line's
 * 256 KB body) is told the message is too long instead of Web Chat's bare "send failed".
 */
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { Browser } from 'playwright-core';
import { createApp } from '../../index';
import { readSettings } from '../../config/settings';
import { launchChromium, screenshot, WebChatPage, collectPageErrors } from '../helpers/browser';

jest.setTimeout(90_000);

let browser: Browser;
let server: http.Server;
let url: string;
let closeDirectLine: () => Promise<void>;

beforeAll(async () => {
  const { app, directLine } = createApp(readSettings({}), { today: () => '2026-11-22' });
  server = http.createServer(app);
  directLine.attachWebSocket(server);
  closeDirectLine = () => directLine.close();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await closeDirectLine?.();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

test('the real bot in the widget: a pasted prompt, a clarification clicked, a date question answered', async () => {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 520, height: 900 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(`${url}/?locale=zh-CN`);
  const chat = new WebChatPage(page);
  await chat.waitUntilConnected();
  await chat.waitForBotMessage(/粘贴/);

  await chat.send('审核结果：注册者证件不清晰/被遮挡');
  await chat.waitForBotMessage(/国徽|水印/);

  await chat.send('提示请检查姓名和证件号是否正确');
  await chat.waitForBotMessage(/哪里看到|多个产品/);
  await chat.suggestedAction('大鱼号').click();
  await chat.waitForBotMessage(/手持身份证|本人/);

  await chat.send('身份证是新办的，实名提示不在实名库中');
  await chat.waitForBotMessage(/颁发/);
  await chat.send('2026年11月15日');
  await chat.waitForBotMessage(/2026-11-25/);
  await screenshot(page, 'webchat-real-bot.png');
  expect(errors).toEqual([]);
  await context.close();
});

test('a customer pasting a whole document: a text of 120,000 characters (360 KB) is answered as too long, and nothing failed to send', async () => {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  const errors = collectPageErrors(page);
  await page.goto(url);
  const chat = new WebChatPage(page);
  await chat.waitUntilConnected();
  await chat.send('我的域名实名认证失败了。'.repeat(10_000));
  await chat.waitForBotMessage(/太长/);
  await screenshot(page, 'widget-too-long.png');
  expect(await page.getByText(/发送失败|Send failed/).count()).toBe(0);
  expect(errors.filter((e) => /413|Failed to post/.test(e))).toEqual([]);
  await context.close();
});
