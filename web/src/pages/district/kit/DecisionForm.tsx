import { ProForm, type ProFormProps } from '@ant-design/pro-components';
import { Alert, App, Form } from 'antd';
import { useRef, useState, type ReactNode } from 'react';
import { idempotencyKey, unwrap } from '../../../api/client';
import { ApiError, describeError, formFieldErrors } from '../../../errors';

interface Answered<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Sent with every decision: the same key makes a resent decision the same one, taken once. */
export type DecisionHeaders = { 'idempotency-key': string };

interface DecisionFormProps<Values, Result> {
  /** The API call the decision makes, with the headers given; its refusal is shown next to the field at fault. */
  send: (values: Values, headers: DecisionHeaders) => Promise<Answered<Result>>;
  onDone: (result: Result) => void;
  /** The API answered that the state changed meanwhile (409): read it again. */
  onStale?: () => void;
  submitText: string;
  doneText: string;
  children: ReactNode;
  initialValues?: Partial<Values>;
  /** Asks before sending a decision that cannot be undone. */
  confirm?: string;
  layout?: ProFormProps['layout'];
  ariaLabel: string;
}

/**
 * One decision as a form: sends it, and shows a refusal as the API gives it, in Chinese — next
 * to the field the API names when the form has it, above the buttons otherwise.
 */
export function DecisionForm<Values extends Record<string, unknown>, Result>(props: DecisionFormProps<Values, Result>) {
  const [form] = Form.useForm<Values>();
  const [refusal, setRefusal] = useState<string | null>(null);
  const { message, modal } = App.useApp();
  // A decision whose answer never came (network, 503) is sent again with its key, so that it is
  // taken once; a changed decision, or one answered, gets a new key.
  const pending = useRef<{ key: string; values: string } | null>(null);

  const submit = async (values: Values): Promise<boolean> => {
    if (props.confirm) {
      const ok = await modal.confirm({ title: '请确认', content: props.confirm, okText: '确认', cancelText: '取消' });
      if (!ok) return false;
    }
    setRefusal(null);
    const sent = JSON.stringify(values);
    if (pending.current?.values !== sent) pending.current = { key: idempotencyKey(), values: sent };
    try {
      const result = await unwrap(props.send(values, { 'idempotency-key': pending.current.key }));
      pending.current = null;
      message.success(props.doneText);
      form.resetFields();
      props.onDone(result);
      return true;
    } catch (error) {
      const fieldErrors = formFieldErrors(error, Object.keys(form.getFieldsValue() as object));
      if (fieldErrors.length > 0) form.setFields(fieldErrors as never);
      else setRefusal(describeError(error).message);
      if (error instanceof ApiError && error.status < 500) pending.current = null;
      if (error instanceof ApiError && error.status === 409) props.onStale?.();
      return false;
    }
  };

  return (
    <ProForm<Values>
      form={form}
      // ProForm puts the cursor in its first field, which on a case page opened to be read was the
      // first decision's reason: the page scrolled to it and showed it framed as if in error.
      autoFocusFirstInput={false}
      layout={props.layout ?? 'vertical'}
      initialValues={props.initialValues}
      onFinish={submit}
      aria-label={props.ariaLabel}
      submitter={{
        searchConfig: { submitText: props.submitText, resetText: '重置' },
        render: (_, buttons) => (
          <div>
            {refusal && <Alert type="error" showIcon message={refusal} style={{ marginBottom: 12 }} role="alert" />}
            <div style={{ display: 'flex', gap: 8 }}>{buttons}</div>
          </div>
        ),
      }}
    >
      {props.children}
    </ProForm>
  );
}
