import { AutoComplete, Form, Input, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { Answer } from '../../api/types';
import { describeError } from '../../errors';
import { looksLikeUscc } from '../../../../policy/uscc.js';

type Match = NonNullable<Answer<'/public/households'>['items']>[number];

const MIN_NAME_CHARACTERS = 2;
/** Typing pauses this long before the names are searched, so that a name typed quickly is one search. */
const TYPING_PAUSE_MS = 300;
const SHOWN_MATCHES = 10;

function isName(text: string): boolean {
  return [...text].length >= MIN_NAME_CHARACTERS && !looksLikeUscc(text.toUpperCase());
}

/**
 * Finds the household a department means: by its name as people know it (the matches listed as
 * one types, a district department's own district only) or by its 18-character code.
 */
export function HouseholdFinder({ districtCode, looking, error, onFound, onInvalid }: {
  districtCode: string | undefined;
  looking: boolean;
  error: string | null;
  onFound: (uscc: string) => void;
  onInvalid: (message: string) => void;
}) {
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<Match[]>([]);
  const latestQuery = useRef('');
  // Enter on a listed household both picks it and presses the search: the pick wins.
  const picks = useRef(0);
  const pickedThisKeystroke = useRef(false);

  const search = (query: string) =>
    unwrap(api.GET('/public/households', { params: { query: { name: query, pageSize: SHOWN_MATCHES, ...(districtCode ? { districtCode } : {}) } } })).then(
      (found) => found.items ?? [],
    );

  useEffect(() => {
    const query = text.trim();
    latestQuery.current = query;
    if (!isName(query)) {
      setMatches([]);
      return;
    }
    const timer = setTimeout(() => {
      void search(query)
        .then((found) => {
          if (latestQuery.current === query) setMatches(found);
        })
        // A failed search leaves the code to be typed; the lookup says what went wrong.
        .catch(() => setMatches([]));
    }, TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, districtCode]);

  // The button (or Enter) takes a code as it is, and a name once the search has answered for it.
  const submit = async (value: string) => {
    if (pickedThisKeystroke.current) return;
    const picksBefore = picks.current;
    const typed = value.trim();
    if (looksLikeUscc(typed.toUpperCase())) return onFound(typed.toUpperCase());
    if (!isName(typed)) return onInvalid(`请输入名称（至少${MIN_NAME_CHARACTERS}个字）或18位统一社会信用代码`);
    let found: Match[];
    try {
      found = await search(typed);
    } catch (failure) {
      return onInvalid(describeError(failure).message);
    }
    if (picks.current !== picksBefore) return;
    setMatches(found);
    const only = found.length === 1 ? found[0] : undefined;
    if (only?.uscc) {
      setText(only.uscc);
      return onFound(only.uscc);
    }
    onInvalid(found.length > 1 ? '有多个名称相符的个体工商户，请从列表中选择一个' : '未找到名称相符的个体工商户；请核对名称，或输入18位统一社会信用代码');
  };

  return (
    <Form layout="vertical">
      <Form.Item label="名称或统一社会信用代码" htmlFor="recommend-household" validateStatus={error ? 'error' : undefined} help={error ?? undefined}>
        <AutoComplete
          id="recommend-household"
          value={text}
          onChange={setText}
          onSelect={(uscc: string) => {
            picks.current += 1;
            pickedThisKeystroke.current = true;
            setTimeout(() => (pickedThisKeystroke.current = false));
            setText(uscc);
            onFound(uscc);
          }}
          options={matches.map((match) => ({
            value: match.uscc ?? '',
            // What a screen reader says for the option (rc-select would read out the code alone).
            'aria-label': `${match.name} ${match.district?.name ?? ''} ${match.uscc}`,
            label: (
              <span>
                {match.name}
                <Typography.Text type="secondary" style={{ marginLeft: 8 }}>
                  {match.district?.name} · {match.uscc}
                </Typography.Text>
              </span>
            ),
          }))}
          style={{ width: '100%' }}
        >
          <Input.Search
            placeholder={`名称（至少${MIN_NAME_CHARACTERS}个字），或18位统一社会信用代码`}
            enterButton="查询申报条件"
            maxLength={100}
            loading={looking}
            onSearch={(value) => void submit(value)}
          />
        </AutoComplete>
      </Form.Item>
    </Form>
  );
}
