import type { PluginOption } from '../interfaces/plugin-module.js';
import { isPluginKind } from './plugin-kinds.js';

const FLAG = /^[a-z][a-z0-9-]*$/;
const OPTION_TYPES = ['string', 'number', 'boolean', 'list'];

/** What is wrong with a plugin's default export, or an empty list. */
export function moduleShapeProblems(value: unknown): string[] {
  if (!value || typeof value !== 'object') return ['the default export is not an object'];
  const mod = value as Record<string, unknown>;
  const problems: string[] = [];
  if (!isPluginKind(mod.kind)) problems.push('kind is missing or not a plugin kind');
  if (typeof mod.name !== 'string') problems.push('name is missing');
  if (typeof mod.apiVersion !== 'number') problems.push('apiVersion is missing');
  if (typeof mod.register !== 'function') problems.push('register is not a function');
  const schema = mod.configSchema as { safeParse?: unknown } | undefined;
  if (!schema || typeof schema.safeParse !== 'function') problems.push('configSchema is not a zod schema (no safeParse)');
  if (mod.options !== undefined) problems.push(...optionProblems(mod.options));
  if (mod.commands !== undefined && !Array.isArray(mod.commands)) problems.push('commands is not an array');
  return problems;
}

function optionProblems(options: unknown): string[] {
  if (!Array.isArray(options)) return ['options is not an array'];
  return options.flatMap((option: Partial<PluginOption>, index) => {
    const where = `options[${index}]`;
    const problems: string[] = [];
    if (typeof option?.flag !== 'string' || !FLAG.test(option.flag)) problems.push(`${where}.flag must be kebab-case without dashes in front`);
    if (typeof option?.key !== 'string' || option.key === '') problems.push(`${where}.key is missing`);
    if (typeof option?.description !== 'string') problems.push(`${where}.description is missing`);
    if (!OPTION_TYPES.includes(String(option?.type))) problems.push(`${where}.type must be one of ${OPTION_TYPES.join(', ')}`);
    return problems;
  });
}
