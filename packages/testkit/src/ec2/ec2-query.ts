/** EC2 Query API requests (form-encoded, lists flattened as `Name.1`, `Name.2.Sub`) and XML responses. */

export type Params = ReadonlyMap<string, string>;

export function parseForm(body: string): Map<string, string> {
  return new Map(new URLSearchParams(body));
}

/** Values of `prefix.1`, `prefix.2`, … in order. */
export function listOf(params: Params, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) values.push(params.get(`${prefix}.${i}`) as string);
  return values;
}

/** Sub-parameter maps of `prefix.1.*`, `prefix.2.*`, … (keys without the prefix). */
export function membersOf(params: Params, prefix: string): Array<Map<string, string>> {
  const members: Array<Map<string, string>> = [];
  for (let i = 1; ; i++) {
    const head = `${prefix}.${i}.`;
    const member = new Map<string, string>();
    for (const [key, value] of params) if (key.startsWith(head)) member.set(key.slice(head.length), value);
    if (member.size === 0) return members;
    members.push(member);
  }
}

/** Filters as name → accepted values. */
export function filtersOf(params: Params): Map<string, string[]> {
  return new Map(membersOf(params, 'Filter').map((f) => [f.get('Name') ?? '', listOf(f, 'Value')]));
}

/** `Tag.N.Key/Value` (or `TagSpecification.N.Tag.N…` for one resource type) as a record. */
export function tagsOf(params: Params, prefix = 'Tag'): Record<string, string> {
  return Object.fromEntries(membersOf(params, prefix).map((t) => [t.get('Key') ?? '', t.get('Value') ?? '']));
}

export function tagSpecificationTags(params: Params, resourceType: string): Record<string, string> {
  const spec = membersOf(params, 'TagSpecification').find((s) => s.get('ResourceType') === resourceType);
  return spec ? tagsOf(spec) : {};
}

/** EC2 name filters: `*` and `?` wildcards. */
export function wildcard(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

export type XmlValue = string | number | boolean | undefined | null | XmlValue[] | { [key: string]: XmlValue };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Objects become elements, arrays `<item>` lists, undefined is left out. */
export function toXml(value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => `<item>${toXml(item)}</item>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function responseXml(action: string, requestId: string, body: Record<string, XmlValue>): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${toXml(body)}</${action}Response>`;
}

export function errorXml(code: string, message: string, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
}

export function tagSet(tags: Readonly<Record<string, string>>): XmlValue {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** A thrown EC2 error: code, HTTP status, message. */
export class Ec2Fault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
