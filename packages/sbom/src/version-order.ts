/**
 * Version ordering of the two package families, as dpkg (`dpkg --compare-versions`) and rpm
 * (`rpmvercmp`) define it: which of two installed versions is older decides what a CVE query finds.
 */

/** dpkg's order: epoch, then upstream version, then revision; `~` sorts before everything, even the end. */
export function compareDebianVersions(a: string, b: string): number {
  const x = splitEvr(a);
  const y = splitEvr(b);
  return Math.sign(x.epoch - y.epoch) || compareDebianPart(x.version, y.version) || compareDebianPart(x.release, y.release);
}

/** `[epoch:]version[-release]`, as both families write a full version: the release after the last dash. */
function splitEvr(full: string): { epoch: number; version: string; release: string } {
  const colon = full.indexOf(':');
  const epoch = colon > 0 ? Number(full.slice(0, colon)) : 0;
  const rest = colon > 0 ? full.slice(colon + 1) : full;
  const dash = rest.lastIndexOf('-');
  return { epoch: Number.isFinite(epoch) ? epoch : 0, version: dash === -1 ? rest : rest.slice(0, dash), release: dash === -1 ? '' : rest.slice(dash + 1) };
}

/** The weight dpkg gives a character of a non-digit run: `~` lowest, then the end, letters, then the rest. */
function debianWeight(char: string | undefined): number {
  if (char === undefined) return 0;
  if (char === '~') return -1;
  if (/[A-Za-z]/.test(char)) return char.charCodeAt(0);
  return char.charCodeAt(0) + 256;
}

function compareDebianPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // The non-digit prefix, character by character.
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const wa = i < a.length && !isDigit(a[i]) ? debianWeight(a[i]) : 0;
      const wb = j < b.length && !isDigit(b[j]) ? debianWeight(b[j]) : 0;
      if (wa !== wb) return Math.sign(wa - wb);
      if (i < a.length && !isDigit(a[i])) i++;
      if (j < b.length && !isDigit(b[j])) j++;
    }
    // Then the digit run, as a number.
    let na = '';
    let nb = '';
    while (i < a.length && isDigit(a[i])) na += a[i++];
    while (j < b.length && isDigit(b[j])) nb += b[j++];
    const diff = compareNumeric(na, nb);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** rpm's order: epoch, then version, then release, each by rpmvercmp (`~` before anything, `^` after the end). */
export function compareRpmVersions(a: string, b: string): number {
  const x = splitEvr(a);
  const y = splitEvr(b);
  return Math.sign(x.epoch - y.epoch) || rpmvercmp(x.version, y.version) || rpmvercmp(x.release, y.release);
}

function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;
    // `~` sorts before everything, the end included.
    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    // `^` sorts after the end, before anything else.
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;
    const numeric = isDigit(a[i]);
    const take = (s: string, k: number): string => {
      let end = k;
      while (end < s.length && (numeric ? isDigit(s[end]) : isAlpha(s[end]))) end++;
      return s.slice(k, end);
    };
    const sa = take(a, i);
    const sb = take(b, j);
    i += sa.length;
    j += sb.length;
    // A number is newer than letters in the same place.
    if (sb === '') return numeric ? 1 : -1;
    const diff = numeric ? compareNumeric(sa, sb) : sa < sb ? -1 : sa > sb ? 1 : 0;
    if (diff !== 0) return diff;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i >= a.length ? -1 : 1;
}

function compareNumeric(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return Math.sign(x.length - y.length);
  return x < y ? -1 : x > y ? 1 : 0;
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

function isAlpha(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z]/.test(char);
}

function isAlnum(char: string | undefined): boolean {
  return isDigit(char) || isAlpha(char);
}
