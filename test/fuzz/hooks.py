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


AUTHORITY_TYPES = {"1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129", "8": "19", "9": "123", "A": "19", "N": "1239", "Y": "1"}
VALID_STAND_IN = with_check_character("92" + DEMO_HOUSEHOLDS[1][0] + DEMO_HOUSEHOLDS[1][1])


def is_valid_uscc(value: str) -> bool:
    if len(value) != 18 or any(c not in CODE_CHARACTERS for c in value):
        return False
    if value[1] not in AUTHORITY_TYPES.get(value[0], "") or not value[2:8].isdigit():
        return False
    return with_check_character(value[:17]) == value


def repaired(value):
    if isinstance(value, list):
        return [repaired(item) for item in value]
    return value if not isinstance(value, str) or is_valid_uscc(value) else VALID_STAND_IN


@schemathesis.hook
def map_case(context, case):
    """A positive case is meant to be valid, but the coverage phase draws a USCC from its pattern
    alone, which says nothing of the check character: such a value is swapped for a valid one, so
    that the API's 400 for it is not counted against the API. Negative cases are left alone."""
    meta = case.meta
    if meta is None or meta.generation.mode != schemathesis.GenerationMode.POSITIVE:
        return case
    for container in (case.path_parameters, case.query, case.body):
        if isinstance(container, dict) and "uscc" in container:
            container["uscc"] = repaired(container["uscc"])
    return case
