"""The project's schema of GitHub's GraphQL API (tests/fakegithub/schema.graphql) against GitHub's own.

Every clone validates and executes queries on the project's schema; this is the
one test that needs GitHub's full public schema (``$AUDITOR_GITHUB_SCHEMA``, or
../shared/github/schema.docs.graphql, read in place), and it skips without it.
It checks that each type, field and argument of ours exists in GitHub's with the
same type and default, so the fake cannot accept a query GitHub would refuse,
and that the collector's own queries validate against GitHub's schema too.
"""

from __future__ import annotations

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    is_specified_scalar_type,
    parse,
    print_ast,
    validate,
)

from auditor.hosts import github_graphql as gql
from fakegithub.graphql_api import PROJECT_SCHEMA, SCHEMA_ENV, full_schema_path, load_schema

#: Batches that reach every branch of build_batch: sub-paths, owners, fifty repositories.
BATCHES = [
    [gql.BatchItem("octocat", "hello-world")],
    [gql.BatchItem("octocat", "hello-world", (("main", "src/a.py"), ("v1.0", "docs")))],
    [gql.BatchItem("octocat")],
    [gql.BatchItem(f"o{i}", f"n{i}", (("main", f"p{i}"),) if i % 3 == 0 else ()) for i in range(50)]
    + [gql.BatchItem("someorg")],
]


def default(arg) -> str | None:
    """An argument's default as written in the SDL (both schemas are built from SDL)."""
    node = arg.ast_node.default_value if arg.ast_node is not None else None
    return print_ast(node) if node is not None else None


def differences(ours, github) -> list[str]:
    """What in ``ours`` GitHub's schema lacks or types otherwise (empty: ours is a faithful part)."""
    out: list[str] = []
    for name, t in ours.type_map.items():
        if name.startswith("__") or is_specified_scalar_type(t):
            continue
        g = github.get_type(name)
        if g is None or type(g) is not type(t):
            out.append(f"type {name}: {type(t).__name__} here, {type(g).__name__ if g else 'absent'} on GitHub")
            continue
        if isinstance(t, GraphQLEnumType):
            out += [f"enum {name}.{v}: absent on GitHub" for v in set(t.values) - set(g.values)]
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType)):
            gi = {i.name for i in g.interfaces}
            out += [f"{name} implements {i.name}: not on GitHub" for i in t.interfaces if i.name not in gi]
        if isinstance(t, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for fname, f in t.fields.items():
                gf = g.fields.get(fname)
                if gf is None or str(gf.type) != str(f.type):
                    out.append(f"{name}.{fname}: {f.type} here, {gf.type if gf else 'absent'} on GitHub")
                    continue
                for aname, a in getattr(f, "args", {}).items():
                    ga = gf.args.get(aname)
                    if ga is None or str(ga.type) != str(a.type) or default(ga) != default(a):
                        got = f"{ga.type} = {default(ga)}" if ga else "absent"
                        out.append(f"{name}.{fname}({aname}): {a.type} = {default(a)} here, {got} on GitHub")
    return out


@pytest.mark.shared
def test_project_schema_and_collector_queries_agree_with_githubs_full_schema():
    path = full_schema_path()
    if not path.exists():
        pytest.skip(f"GitHub's full GraphQL schema is not at {path} (set {SCHEMA_ENV} to check "
                    f"{PROJECT_SCHEMA.name} against it)")
    github = load_schema(path)
    assert differences(load_schema(), github) == []
    for items in BATCHES:
        query = gql.build_batch(items).query
        assert validate(github, parse(query)) == [], query
    # the check has teeth: a field GitHub does not have is refused by both schemas
    wrong = parse('query { repository(owner: "a", name: "b") { starCount } }')
    assert validate(github, wrong) and validate(load_schema(), wrong)
