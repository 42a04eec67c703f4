import { InvalidInputError } from '@aminator/core';

const AMI_NAME = /^[a-zA-Z0-9()[\] ./\-'@_]{3,128}$/;
const NOT_ALLOWED = /[^a-zA-Z0-9()[\] ./\-'@_]/g;

/**
 * EC2's rules for image names, checked before any call: 3–128 characters of letters, digits, spaces
 * and ( ) [ ] . / - ' @ _. Debian and RPM versions may hold `:` (epoch), `+` and `~`, which EC2
 * refuses; each becomes `_`, so `2:1.2+dfsg-1` names an image `2_1.2_dfsg-1`.
 */
export function amiName(name: string): string {
  const safe = name.replace(NOT_ALLOWED, '_');
  if (!AMI_NAME.test(safe)) {
    throw new InvalidInputError('image name', `"${name}" cannot be an AMI name: 3 to 128 characters of letters, digits, space and ( ) [ ] . / - ' @ _`, [
      'shorten --suffix or the package name',
    ]);
  }
  return safe;
}
