/** A piece of a line: plain text, emphasised text, or a link shown as its URL. */
export type Inline = string | { strong: string } | { link: string };

/** A paragraph of one line, or a bullet list. */
export type Block = { line: Inline[] } | { list: Inline[][] };

/** What one event (or one group of events) says; sections are set apart in every format. */
export type Section = readonly Block[];

/** Plain text: lines as they are, lists as `- ` items, a blank line between sections. */
export function toText(sections: readonly Section[]): string {
  const inline = (parts: readonly Inline[]) =>
    parts.map((part) => (typeof part === 'string' ? part : 'strong' in part ? part.strong : part.link)).join('');
  return sections.map((blocks) => blocks.map((block) => formatBlock(block, inline)).join('\n')).join('\n\n');
}

/**
 * Markdown as the chat robots read it, title first (their messages have no title of their own). Every block is
 * its own paragraph: DingTalk drops single line breaks.
 */
export function toMarkdown(title: string, sections: readonly Section[]): string {
  const inline = (parts: readonly Inline[]) =>
    parts
      .map((part) => {
        if (typeof part === 'string') return escapeMarkdown(part);
        return 'strong' in part ? `**${escapeMarkdown(part.strong)}**` : `[${part.link}](${part.link})`;
      })
      .join('');
  const blocks = sections.flatMap((section) => section.map((block) => formatBlock(block, inline)));
  return [`### ${escapeMarkdown(title)}`, ...blocks].join('\n\n');
}

/** An HTML fragment for a mail body: paragraphs, lists, a rule between sections. */
export function toHtml(sections: readonly Section[]): string {
  const inline = (parts: readonly Inline[]) =>
    parts
      .map((part) => {
        if (typeof part === 'string') return escapeHtml(part);
        if ('strong' in part) return `<strong>${escapeHtml(part.strong)}</strong>`;
        const href = escapeHtml(part.link);
        return `<a href="${href}">${href}</a>`;
      })
      .join('');
  const html = (block: Block) =>
    'line' in block ? `<p>${inline(block.line)}</p>` : `<ul>${block.list.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`;
  return sections.map((blocks) => blocks.map(html).join('\n')).join('\n<hr>\n');
}

function formatBlock(block: Block, inline: (parts: readonly Inline[]) => string): string {
  return 'line' in block ? inline(block.line) : block.list.map((item) => `- ${inline(item)}`).join('\n');
}

/**
 * Only the characters that would turn text into emphasis, code or links. Backslash escapes are shown literally
 * by some robots, so `_` (harmless inside words such as watch names) is left alone.
 */
function escapeMarkdown(text: string): string {
  return text.replace(/[*`[\]]/g, (char) => `\\${char}`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
