const SECRET_ENV_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|PRIVATE_KEY|SESSION)/i;
const MIN_SECRET_LENGTH = 6;
const INLINE_PATTERNS: readonly RegExp[] = [
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /(X-Amz-Security-Token=)[^&\s]+/gi,
  /(X-Amz-Signature=)[^&\s]+/gi,
  /(aws_secret_access_key\s*[=:]\s*)\S+/gi,
  /(aws_session_token\s*[=:]\s*)\S+/gi,
  /(Authorization:\s*)\S.*$/gim,
];

/** Values of secret-looking environment variables, longest first so overlaps mask fully. */
function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_ENV_NAME.test(name) && typeof value === 'string' && value.length >= MIN_SECRET_LENGTH)
    .map(([, value]) => value as string)
    .sort((a, b) => b.length - a.length);
}

/**
 * Hide credentials in text bound for logs, events and error messages: values of secret-looking
 * environment variables, any `extra` values, access key ids and signed-URL parameters.
 */
export function redactSecrets(text: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const value of [...extra.filter((v) => v.length > 0), ...secretValues(env)]) {
    out = out.split(value).join('***');
  }
  for (const pattern of INLINE_PATTERNS) {
    out = out.replace(pattern, (_match, prefix?: string) => (typeof prefix === 'string' ? `${prefix}***` : '***'));
  }
  return out;
}
