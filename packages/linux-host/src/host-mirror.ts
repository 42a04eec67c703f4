import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface SourceEntry {
  readonly uri: string;
  readonly suites: readonly string[];
}

/**
 * The Debian mirror this host installs from, read from its apt sources (one-line and deb822 formats),
 * preferring an entry for a release suite (no `-updates`/`-security`). Undefined when there is none.
 */
export function hostDebianMirror(aptDir = '/etc/apt'): string | undefined {
  const entries = [...oneLineEntries(aptDir), ...deb822Entries(aptDir)].filter((e) => /^https?:\/\//.test(e.uri));
  const release = entries.find((e) => e.suites.some((s) => !s.includes('-') && !s.includes('/')));
  return (release ?? entries[0])?.uri.replace(/\/+$/, '');
}

function files(dir: string, extension: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith(extension))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function oneLineEntries(aptDir: string): SourceEntry[] {
  return [join(aptDir, 'sources.list'), ...files(join(aptDir, 'sources.list.d'), '.list')].flatMap((file) =>
    read(file)
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line.startsWith('deb '))
      .map((line) => line.replace(/\[[^\]]*\]\s*/, '').split(/\s+/))
      .map(([, uri = '', suite = '']) => ({ uri, suites: [suite] })),
  );
}

function deb822Entries(aptDir: string): SourceEntry[] {
  return files(join(aptDir, 'sources.list.d'), '.sources').flatMap((file) =>
    read(file)
      .split(/\n\s*\n/)
      .map(parseStanza)
      .filter((s) => (s.Types ?? '').split(/\s+/).includes('deb') && s.Enabled !== 'no')
      .flatMap((s) =>
        (s.URIs ?? '')
          .split(/\s+/)
          .filter(Boolean)
          .map((uri) => ({ uri, suites: (s.Suites ?? '').split(/\s+/) })),
      ),
  );
}

function parseStanza(stanza: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of stanza.split('\n')) {
    const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line.trim());
    if (match && !line.trim().startsWith('#')) fields[match[1] as string] = match[2] as string;
  }
  return fields;
}

/** This host's Debian/Ubuntu release codename (`bookworm`), from /etc/os-release. */
export function hostDebianSuite(osRelease = '/etc/os-release'): string | undefined {
  return /^VERSION_CODENAME=["']?([a-z]+)["']?$/m.exec(read(osRelease))?.[1];
}
