"""Schemathesis hooks for tests/fuzz.rs: strategies for the schema's two custom scalars.

Schemathesis knows `Date` already; `JSON` (connection details, configPayload) it cannot
guess. The objects generated mix the catalog's real property names with random ones, so
the fuzzer reaches the destination validation rules, not only the "unknown field" path.
"""

import string

import graphql
import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes

KEYS = st.one_of(
    st.sampled_from(
        ["apiKey", "secretKey", "writeKey", "name", "enabled", "region", "url", "events"]
    ),
    st.text(alphabet=string.ascii_letters, min_size=1, max_size=12),
)


def _object(fields):
    return nodes.Object(
        [
            graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=v)
            for k, v in fields.items()
        ]
    )


LEAVES = st.one_of(
    st.text(max_size=24).map(nodes.String),
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(nodes.Int),
    st.booleans().map(nodes.Boolean),
    st.just(nodes.Null),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(nodes.List),
        st.dictionaries(KEYS, inner, max_size=3).map(_object),
    ),
    max_leaves=8,
)

schemathesis.graphql.scalar("JSON", st.dictionaries(KEYS, VALUES, max_size=5).map(_object))
