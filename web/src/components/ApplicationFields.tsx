import { Checkbox, Form, Radio, type FormInstance, type GetProps } from 'antd';
import type { Answer } from '../api/types';
import { CATEGORY_LABELS } from '../format';
import { requiredChoice } from './rules';

type ApplicationForm = Answer<'/households/{uscc}/application-form'>;
type Category = keyof NonNullable<ApplicationForm['criteria']>;
const CATEGORIES = ['renowned', 'distinctive', 'quality', 'emerging'] as const satisfies readonly Category[];

/** The category applied or recommended for; choosing another clears the criteria ticked for the last one. */
export function CategoryField({ form, label, requiredMessage }: { form: FormInstance; label: string; requiredMessage: string }) {
  return (
    <Form.Item name="category" label={label} rules={[requiredChoice(requiredMessage)]}>
      <Radio.Group onChange={() => form.setFieldValue('claimedCriteria', [])}>
        {CATEGORIES.map((value) => (
          <Radio.Button key={value} value={value}>
            {CATEGORY_LABELS[value]}类
          </Radio.Button>
        ))}
      </Radio.Group>
    </Form.Item>
  );
}

/**
 * The criteria to tick, each in the plan's words. It takes the place of a Checkbox.Group under a
 * Form.Item, so it passes on the value and onChange the Form.Item gives it.
 */
export function CriteriaChecklist({ criteria, criterionText, ...group }: { criteria: string[]; criterionText: ApplicationForm['criterionText'] } & GetProps<typeof Checkbox.Group>) {
  return (
    <Checkbox.Group {...group} style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
      {criteria.map((criterion) => (
        <Checkbox key={criterion} value={criterion}>
          {criterion}：{criterionText?.[criterion]}
        </Checkbox>
      ))}
    </Checkbox.Group>
  );
}
