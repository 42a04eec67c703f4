import { isAminatorError } from '../errors/aminator-error.js';
import type { Logger } from '../interfaces/logger.js';
import type { PackageInventory } from '../interfaces/package-inventory.js';

/**
 * A package list, or why it could not be read: an image whose package database is damaged or
 * hostile is still made, and says it has no SBOM. Any other error is a bug and goes on up.
 */
export async function inventoryOrReason(read: () => Promise<PackageInventory>, log: Logger): Promise<PackageInventory | string> {
  try {
    return await read();
  } catch (error) {
    if (!isAminatorError(error)) throw error;
    log.warn(`the image will have no SBOM: ${error.message}`);
    return error.message;
  }
}
