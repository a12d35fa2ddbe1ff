/** Terminal escape sequences: CSI (`ESC [ ... m`, colours and cursor moves), OSC (`ESC ] ... BEL`, titles, links), other ESC pairs. */
const ESCAPE_SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
/** C0 and C1 controls (newlines and tabs included), and the marks that reorder or hide text (bidi overrides, zero width). */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]+/g;

/**
 * Text from elsewhere (a far end's answer, an error) made safe to print on one line, log or store: escape
 * sequences removed, controls and line breaks turned into spaces, then cut to `maxChars` characters with the cut
 * marked. Without it an answer could print a fake log line, recolour the terminal or fill the disk.
 */
export function printable(text: string, maxChars: number): string {
  const flat = text.replace(ESCAPE_SEQUENCES, '').replace(CONTROLS, ' ').replace(/ {2,}/g, ' ').trim();
  return cut(flat, maxChars);
}

/** Cuts by characters (not UTF-16 units, which would split an emoji) and marks the cut. */
export function cut(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const chars = [...text];
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}
