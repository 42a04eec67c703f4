// biome-ignore-all lint/suspicious/noControlCharactersInRegex: control characters are what this removes

/**
 * Escape sequences: CSI (ESC [ or the 8-bit 0x9b, parameters, one final byte), OSC, DCS, SOS, PM and
 * APC strings (ESC ] / P / X / ^ / _ or their 8-bit forms, up to BEL or ST), and two-byte ESC forms.
 */
const ESCAPE_SEQUENCE = /(?:\x1b\[|\x9b)[\x20-\x3f]*[\x40-\x7e]|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[\s\S]*?(?:\x07|\x1b\\|\x9c|$)|\x1b[\x20-\x7e]?/g;
/** Every control character but tab and newline, DEL, and the C1 range. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Text another program wrote (a guest's console, a package manager in a chroot), made safe to print
 * on a terminal: nothing in it can set the title, write the clipboard, move the cursor or change
 * colours. Only printable characters, tabs and newlines remain.
 */
export function plainText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
}
