import type { LaunchPermission } from '@aws-sdk/client-ec2';

/** `--share-with` targets as launch permissions: accounts, organizations, organizational units. */
export function launchPermissions(targets: readonly string[]): LaunchPermission[] {
  return targets.map((target) => {
    if (/^\d{12}$/.test(target)) return { UserId: target };
    if (target.includes(':ou/')) return { OrganizationalUnitArn: target };
    return { OrganizationArn: target };
  });
}
