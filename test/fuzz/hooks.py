"""Formats of the API's OpenAPI document that schemathesis cannot know, so that it generates valid values."""
import schemathesis
from hypothesis import strategies as st

# GB 32100-2015, as policy/uscc.ts checks it: code characters, check weights, and a household's
# registration authority (9) and organisation type (2) followed by a Tianjin division code.
CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CHECK_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def with_check_character(first17: str) -> str:
    total = sum(CODE_CHARACTERS.index(c) * w for c, w in zip(first17, CHECK_WEIGHTS))
    return first17 + CODE_CHARACTERS[(31 - total % 31) % 31]


DISTRICTS = [f"1201{n:02d}" for n in range(1, 20)]
# The demo city's households (scripts/demo-data.ts), so that some requests reach real data.
DEMO_HOUSEHOLDS = [("120101", "MA05T3K21"), ("120104", "MA06B7Q40"), ("120116", "MA07C8R52"), ("120119", "MA08D9T63"), ("120105", "MA09E1U74")]
USCC = st.one_of(
    st.sampled_from([with_check_character("92" + district + subject) for district, subject in DEMO_HOUSEHOLDS]),
    st.builds(
        lambda district, subject: with_check_character("92" + district + subject),
        st.sampled_from(DISTRICTS),
        st.text(alphabet=CODE_CHARACTERS, min_size=9, max_size=9),
    ),
)

schemathesis.openapi.format("uscc", USCC)
