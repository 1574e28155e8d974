import { layoutMarkdown } from '../../bots/markdownLayout';
import { renderFor } from '../../bots/channelRendering';

const answer = [
  'Most likely cause: the holder name does not match.',
  '1. The name must match the materials.',
  '2. Check your site. Requirements:',
  '   Alibaba Cloud China site:',
  '   - Chinese mainland: yes',
  '   - Taiwan (China): no, use the international site',
  '   Alibaba Cloud international site: all supported.',
  'Note: CNNIC has not authorized the China site.',
  'Second line of the note.',
].join('\n');

// markdown-it is what Web Chat renders markdown with (a dependency of botframework-webchat; it ships no types).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new () => { render(text: string): string };
const md = new MarkdownIt();

test('a list gets its own blocks: the note after it is a paragraph of its own, not part of the last item', () => {
  const html = md.render(layoutMarkdown(answer));
  expect(html).toMatch(/^<p>Most likely cause: the holder name does not match.<\/p>\n<ol>/);
  expect(html).toMatch(/<\/ol>\n<p>Note: CNNIC has not authorized the China site.<br>\nSecond line of the note.<\/p>\n$/);
  expect(html).toContain('Check your site. Requirements:<br>\nAlibaba Cloud China site:');
  expect(html).toContain('<li>Taiwan (China): no, use the international site</li>');
  expect(html).toMatch(/<\/ul>\s*<p>Alibaba Cloud international site: all supported.<\/p>\s*<\/li>/);
});

test('DingTalk and Teams get paragraphs where Web Chat gets hard breaks; plain lines stay lines', () => {
  const teams = { type: 'message', textFormat: 'markdown', text: 'first\nsecond\n1. a\n2. b\nafter' } as const;
  const webchat = { ...teams };
  renderFor({ channelId: 'msteams' }, teams);
  renderFor({ channelId: 'directline' }, webchat);
  expect(teams.text).toBe('first\n\nsecond\n\n1. a\n2. b\n\nafter');
  expect(webchat.text).toBe('first  \nsecond\n\n1. a\n2. b\n\nafter');
  expect(md.render(webchat.text)).toBe('<p>first<br>\nsecond</p>\n<ol>\n<li>a</li>\n<li>b</li>\n</ol>\n<p>after</p>\n');
});

test('text that is already laid out keeps its blank lines', () => {
  expect(layoutMarkdown('a\n\n- x\n- y\n\nb')).toBe('a\n\n- x\n- y\n\nb');
});
