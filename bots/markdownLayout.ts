/** How a channel shows a line break inside a paragraph: a markdown hard break (Web Chat) or a new paragraph. */
export type LineBreak = 'hard' | 'paragraph';

const LIST_ITEM = /^(\s*)(\d{1,3}[.)]|[-*+])\s+/;

type Line = { kind: 'blank' } | { kind: 'item' | 'text'; indent: number };

function classify(line: string): Line {
  if (!line.trim()) return { kind: 'blank' };
  const indent = line.length - line.trimStart().length;
  return { kind: LIST_ITEM.test(line) ? 'item' : 'text', indent };
}

/**
 * Lays out the knowledge base's answers (written as plain lines: paragraphs, numbered and nested lists, a note after a list)
 * so markdown shows them as written. Markdown joins single line breaks with a space and takes an unindented line after a
 * list item as part of that item ("Note: …" landed inside the last bullet); so a list gets a blank line before and after
 * it, and a line break inside a paragraph or a list item becomes a hard break (or, where hard breaks are not rendered —
 * DingTalk, Teams — a paragraph). Written by hand: a markdown library parses, none rewrites plain lines into markdown.
 */
export function layoutMarkdown(text: string, lineBreak: LineBreak = 'hard'): string {
  if (text.includes('```')) return text;
  const lines = text.split(/\r?\n/);
  let out = lines[0] ?? '';
  for (let i = 1; i < lines.length; i++) {
    const prev = classify(lines[i - 1]);
    const line = classify(lines[i]);
    let separator: string;
    if (prev.kind === 'blank' || line.kind === 'blank') separator = '\n';
    else {
      const prevInList = prev.kind === 'item' || prev.indent > 0;
      // Text goes on the same item only when indented past the item's marker; else it leaves that (nested) list.
      const continues = prev.kind === 'item' ? line.indent > prev.indent : line.indent > 0 || !prevInList;
      if (line.kind === 'item') separator = prevInList ? '\n' : '\n\n';
      else if (continues) separator = lineBreak === 'hard' ? '  \n' : '\n\n';
      else separator = '\n\n';
    }
    out += separator + lines[i];
  }
  return out;
}
