/**
 * What a terminal shows after `text` was written to it, as lines without colours: enough of a
 * terminal for the renderer's cursor-up (`ESC[nA`) and clear-below (`ESC[0J`), carriage returns and
 * newlines; other escape sequences (colours, cursor visibility) are dropped.
 */
export function terminalScreen(text: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const put = (ch: string): void => {
    const line = lines[row] ?? '';
    lines[row] = line.slice(0, col).padEnd(col) + ch + line.slice(col + 1);
    col += 1;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\x1b') {
      const match = /^\x1b\[([?\d;]*)([A-Za-z])/.exec(text.slice(i));
      if (!match) continue;
      const [seq, arg = '', op] = match;
      if (op === 'A') row = Math.max(0, row - Number(arg || 1));
      if (op === 'J') {
        lines.splice(row + 1);
        lines[row] = (lines[row] ?? '').slice(0, col);
      }
      i += seq.length - 1;
    } else if (ch === '\r') {
      col = 0;
    } else if (ch === '\n') {
      row += 1;
      col = 0;
      if (lines.length <= row) lines.push('');
    } else {
      put(ch);
    }
  }
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines.map((l) => l.replace(/\s+$/, ''));
}
