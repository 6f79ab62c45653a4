import { describe, expect, it } from 'vitest';
import type { Actor } from '../../policy/actors.js';
import { validateConsultedDepartments, validateDepartmentActor, type Department } from '../../policy/departments.js';

const cityCommerce: Department = { id: 'city-commerce', name: '市商务局', level: 'city', districtCode: null };
const nankaiCulture: Department = { id: '120104-culture-tourism', name: '南开区文化和旅游局', level: 'district', districtCode: '120104' };
const hepingCulture: Department = { id: '120101-culture-tourism', name: '和平区文化和旅游局', level: 'district', districtCode: '120101' };
const registry = [cityCommerce, nankaiCulture, hepingCulture];
const token = (department: string, districtCode?: string): Actor => ({ id: 'officer', role: 'department', department, ...(districtCode ? { districtCode } : {}) });

describe('a department token speaks for a registered department by identity', () => {
  it.each([
    ['a city department without a district', token('city-commerce'), cityCommerce, null],
    ['a city department with a district', token('city-commerce', '120104'), cityCommerce, 403],
    ['a district department in its district', token(nankaiCulture.id, '120104'), nankaiCulture, null],
    ['a district department claiming another district', token(nankaiCulture.id, '120101'), nankaiCulture, 403],
    ['a district department without its district', token(nankaiCulture.id), nankaiCulture, 403],
    ['a department the registry does not know', token('南开区文化和旅游局', '120104'), null, 403],
  ])('%s', (_name, actor, registered, status) => {
    const refusal = validateDepartmentActor(actor, registered, 'C-SELF');
    expect(refusal?.status ?? null).toBe(status);
    if (refusal) expect(refusal).toMatchObject({ field: 'actor', clause: 'C-SELF' });
  });
});

describe('the departments a case consults (C-SELF)', () => {
  it.each([
    ['none', [], null],
    ['the city’s and its district’s', ['city-commerce', nankaiCulture.id], null],
    ['one twice', ['city-commerce', 'city-commerce'], 'C-SELF: 每个征求意见部门只能列一次。'],
    ['an unknown ID', ['city-comerce'], /city-comerce/],
    ['another district’s', [hepingCulture.id], /120101-culture-tourism/],
  ])('%s', (_name, ids, message) => {
    const refusal = validateConsultedDepartments(ids, registry.filter((d) => ids.includes(d.id)), '120104');
    if (message === null) expect(refusal).toBeNull();
    else expect(refusal).toMatchObject({ status: 422, field: 'departments', clause: 'C-SELF', message: expect.stringMatching(message) });
  });
});
