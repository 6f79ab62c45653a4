import type { FormRule } from 'antd';

/**
 * A choice that must be made (a radio or checkbox group), checked without antd's `required`,
 * which would put aria-required on the group's element, where ARIA does not allow it.
 */
export function requiredChoice(message: string): FormRule {
  return {
    validator: (_rule, value: unknown) => (value === undefined || value === null || (Array.isArray(value) && value.length === 0) ? Promise.reject(new Error(message)) : Promise.resolve()),
  };
}
