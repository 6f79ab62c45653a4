import { App, Form } from 'antd';
import { useState } from 'react';
import { idempotencyKey } from '../api/client';
import { ApiError, formFieldErrors } from '../errors';

/**
 * A form that sends one decision: the API's refusal appears next to the field it names (and
 * above the form), and the decision carries an Idempotency-Key, kept while its outcome is
 * unknown (a lost answer: sending again files it once) and renewed once the API has answered.
 */
export function useDecisionForm<Values extends object>(
  fields: readonly (keyof Values & string)[],
  send: (values: Values, key: string) => Promise<unknown>,
  success: string,
  onDone: () => void,
) {
  const [form] = Form.useForm<Values>();
  const { message } = App.useApp();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(idempotencyKey);
  const submit = async (values: Values) => {
    setBusy(true);
    setError(null);
    try {
      await send(values, key);
      message.success(success);
      setKey(idempotencyKey());
      onDone();
    } catch (failure) {
      if (failure instanceof ApiError) setKey(idempotencyKey());
      form.setFields(formFieldErrors(failure, fields) as never);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { form, error, busy, submit };
}
