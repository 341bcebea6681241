"""Hugging Face collector against a fake Hub on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from typing import Any

import pytest
from localhosts import fakehub
from localhosts.server import LocalServer

from auditor.hosts.base import TargetRequest
from auditor.hosts.common import spdx_for
from auditor.hosts.huggingface import HubSettings, HuggingFaceCollector, repo_id_of
from auditor.models import Facts, Target
from auditor.retry import RetryPolicy
from auditor.safefetch import FetchPolicy

FAST = RetryPolicy(attempts=2, initial=0.01, maximum=0.02, total=5)
LOCAL = FetchPolicy(allow_private_hosts=True, total_timeout=5)


def req(kind: str, key: str) -> TargetRequest:
    return TargetRequest(Target(key=key, kind=kind, host="huggingface.co", url="https://huggingface.co/x"))  # type: ignore[arg-type]


def collect(srv: LocalServer, requests: list[TargetRequest], token: str | None = None) -> dict[str, Facts]:
    async def go() -> dict[str, Facts]:
        settings = HubSettings(endpoint=srv.base, token=token)
        async with HuggingFaceCollector(settings=settings, policy=LOCAL, retry=FAST) as collector:
            return {f.target_key: f async for f in collector.collect(requests)}

    return asyncio.run(go())


@pytest.fixture
def hub() -> Any:
    with LocalServer(fakehub.routes()) as srv:
        yield srv


def test_existing_model_facts(hub: LocalServer) -> None:
    facts = collect(hub, [req("huggingface_model", "huggingface:model:org/good")])["huggingface:model:org/good"]
    assert facts.status == "ok"
    d = facts.data
    assert d["repo_id"] == "org/good" and d["repo_type"] == "model"
    assert d["license"] == "apache-2.0" and d["license_spdx"] == "Apache-2.0"
    assert d["downloads"] == 1234 and d["likes"] == 56 and d["stars"] == 56
    assert d["last_commit_at"] == "2025-03-01T10:00:00.000Z"
    assert d["files_count"] == 5
    assert {"name": "eval", "type": "dir", "size": None} in d["root_files"]
    assert d["readme"]["name"] == "README.md" and "# Good model" in d["readme"]["text"]
    assert d["gated"] is False and d["is_archived"] is False
    assert d["html_url"] == f"{hub.base}/org/good"


def test_gated_model_is_ok_with_gated_flag_and_an_unread_card(hub: LocalServer) -> None:
    facts = collect(hub, [req("huggingface_model", "huggingface:model:org/gated")])["huggingface:model:org/gated"]
    assert facts.status == "ok"
    assert facts.data["gated"] == "manual"
    assert facts.data["license_spdx"] == "NOASSERTION"
    # The card is listed but gated: it exists, its text is unknown (never "no README").
    assert facts.data["readme"] == {"name": "README.md", "size": None, "text": None}


def test_missing_private_disabled_and_down(hub: LocalServer) -> None:
    keys = ["org/missing", "org/private", "org/disabled", "org/down"]
    got = collect(hub, [req("huggingface_model", f"huggingface:model:{k}") for k in keys])
    assert got["huggingface:model:org/missing"].status == "not_found"
    private = got["huggingface:model:org/private"]
    assert private.status == "not_found" and private.data["private_or_missing"] is True
    assert got["huggingface:model:org/disabled"].status == "blocked"
    down = got["huggingface:model:org/down"]
    assert down.status == "error" and "503" in (down.error or "")
    assert sum(1 for s in hub.seen if s.path == "/api/models/org/down") == 2  # retried


def test_token_is_sent_and_opens_private_repo(hub: LocalServer) -> None:
    got = collect(hub, [req("huggingface_model", "huggingface:model:org/private")], token="good-token")
    assert got["huggingface:model:org/private"].status == "ok"
    assert got["huggingface:model:org/private"].data["private"] is True
    assert hub.seen[0].headers["authorization"] == "Bearer good-token"
    assert "good-token" not in repr(got)


def test_renamed_repository_is_moved(hub: LocalServer) -> None:
    facts = collect(hub, [req("huggingface_model", "huggingface:model:org/old-name")])["huggingface:model:org/old-name"]
    assert facts.status == "moved"
    assert facts.canonical_key == "huggingface:model:org/new-name"


def test_dataset_and_space(hub: LocalServer) -> None:
    got = collect(
        hub,
        [req("huggingface_dataset", "huggingface:dataset:org/data"), req("huggingface_space", "huggingface:space:org/demo")],
    )
    data = got["huggingface:dataset:org/data"]
    assert data.status == "ok" and data.data["license_spdx"] == "MIT" and data.data["files_count"] == 2
    assert data.data["html_url"].endswith("/datasets/org/data")
    space = got["huggingface:space:org/demo"]
    assert space.status == "ok" and space.data["sdk"] == "gradio" and space.data["runtime_stage"] == "RUNTIME_ERROR"
    assert space.data["downloads"] is None


def test_owners(hub: LocalServer) -> None:
    got = collect(
        hub,
        [req("huggingface_owner", f"huggingface:user:{n}") for n in ("org", "alice", "nobody")],
    )
    org = got["huggingface:user:org"]
    assert org.status == "ok" and org.data["owner_type"] == "organization"
    assert org.data["num_models"] == 12 and org.data["num_datasets"] == 3
    alice = got["huggingface:user:alice"]
    assert alice.status == "ok" and alice.data["owner_type"] == "user" and alice.data["num_spaces"] == 4
    assert got["huggingface:user:nobody"].status == "not_found"


def test_settings_from_env_follow_the_hub_client() -> None:
    s = HubSettings.from_env({"HF_ENDPOINT": "https://hub.example/", "HF_TOKEN": "t"})
    assert s.endpoint == "https://hub.example" and s.token == "t"
    assert HubSettings.from_env({}).endpoint == "https://huggingface.co"


def test_pure_helpers() -> None:
    assert repo_id_of("huggingface:model:gpt2") == ("model", "gpt2")
    assert spdx_for("apache-2.0") == "Apache-2.0"
    assert spdx_for("cc-by-nc-4.0") == "CC-BY-NC-4.0"
    assert spdx_for("llama2") == "NOASSERTION"
    assert spdx_for(None) is None and spdx_for("MIT") == "MIT"


def test_etag_revalidation_and_json_facts(hub: LocalServer) -> None:
    first = collect(hub, [req("huggingface_model", "huggingface:model:org/good")])["huggingface:model:org/good"]
    json.dumps(first.data)  # facts are stored as JSON
    assert first.etag == 'W/"good-1"'
    request = dataclasses.replace(req("huggingface_model", "huggingface:model:org/good"), etag=first.etag, cached=first)
    again = collect(hub, [request])["huggingface:model:org/good"]
    assert again.data == first.data and again.fetched_at >= first.fetched_at
    assert hub.seen[-1].headers["if-none-match"] == 'W/"good-1"'
    assert hub.seen[-1].path == "/api/models/org/good"  # no README fetch on 304


def test_owner_counts_from_listing_when_overview_has_none(hub: LocalServer) -> None:
    lab = collect(hub, [req("huggingface_owner", "huggingface:user:lab")])["huggingface:user:lab"]
    assert lab.status == "ok"
    assert lab.data["num_models"] == 3 and lab.data["num_datasets"] == 1
    assert lab.data["num_models_capped"] is False
    assert any(s.path == "/api/models" and s.query["limit"] == ["1000"] for s in hub.seen)
