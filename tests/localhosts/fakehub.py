"""A fake Hugging Face Hub: the answers' shapes follow the real /api/models,
/api/datasets, /api/spaces and overview endpoints (see huggingface_hub's
hf_api.py ModelInfo/Organization/User and utils/_http.py error headers)."""

from __future__ import annotations

from localhosts.server import Reply, Seen

SHA = "0123456789abcdef0123456789abcdef01234567"

GOOD_MODEL = {
    "_id": "65f0",
    "id": "org/good",
    "modelId": "org/good",
    "author": "org",
    "sha": SHA,
    "lastModified": "2025-03-01T10:00:00.000Z",
    "createdAt": "2024-01-01T10:00:00.000Z",
    "private": False,
    "disabled": False,
    "gated": False,
    "downloads": 1234,
    "likes": 56,
    "library_name": "transformers",
    "pipeline_tag": "text-generation",
    "tags": ["transformers", "safetensors", "license:apache-2.0"],
    "cardData": {"license": "apache-2.0", "language": ["en"]},
    "siblings": [
        {"rfilename": ".gitattributes"},
        {"rfilename": "README.md"},
        {"rfilename": "config.json"},
        {"rfilename": "model.safetensors"},
        {"rfilename": "eval/results.json"},
    ],
}

GATED_MODEL = {**GOOD_MODEL, "id": "org/gated", "modelId": "org/gated", "gated": "manual", "cardData": {"license": "other"}, "tags": []}

DATASET = {
    "id": "org/data",
    "author": "org",
    "sha": SHA,
    "lastModified": "2024-06-01T00:00:00.000Z",
    "private": False,
    "gated": False,
    "downloads": 10,
    "likes": 2,
    "tags": ["task_categories:text-classification", "license:mit"],
    "cardData": {},
    "siblings": [{"rfilename": "data/train.parquet"}, {"rfilename": "data/test.parquet"}],
}

SPACE = {
    "id": "org/demo",
    "author": "org",
    "sha": SHA,
    "lastModified": "2024-07-01T00:00:00.000Z",
    "private": False,
    "likes": 7,
    "sdk": "gradio",
    "runtime": {"stage": "RUNTIME_ERROR", "hardware": {"current": None}},
    "tags": ["gradio"],
    "siblings": [{"rfilename": "app.py"}, {"rfilename": "requirements.txt"}],
}

NOT_FOUND_HEADERS = {"x-error-code": "RepoNotFound", "x-error-message": "Repository not found"}

#: ``GET /api/whoami-v2`` for "good-token": the fields huggingface_hub's ``HfApi.whoami`` returns and
#: huggingface.js types as ApiWhoAmIUser (id, type, name, fullname, email, canPay, orgs, auth).
WHOAMI = {
    "type": "user", "id": "6500aa", "name": "alice", "fullname": "Alice", "email": "alice@example.org",
    "emailVerified": True, "canPay": False, "isPro": False, "periodEnd": None, "avatarUrl": "/avatars/alice.svg",
    "orgs": [{"type": "org", "id": "6500ab", "name": "org", "fullname": "The Org", "canPay": False}],
    "auth": {"type": "access_token", "accessToken": {"displayName": "audit", "role": "read"}},
}
#: What the Hub answers a refused token (huggingface_hub raises on it "Invalid user token").
INVALID_CREDENTIALS = "Invalid credentials in Authorization header"


def routes() -> dict[str, object]:
    def private(seen: Seen) -> Reply:
        if seen.headers.get("authorization") == "Bearer good-token":
            return Reply.json({**GOOD_MODEL, "id": "org/private", "private": True})
        return Reply.json({"error": "Repository not found"}, status=401, headers=NOT_FOUND_HEADERS)

    def good(seen: Seen) -> Reply:
        if seen.headers.get("if-none-match") == 'W/"good-1"':
            return Reply(304, headers={"etag": 'W/"good-1"'})
        return Reply.json(GOOD_MODEL, headers={"etag": 'W/"good-1"'})

    def whoami(seen: Seen) -> Reply:
        if seen.headers.get("authorization") == "Bearer good-token":
            return Reply.json(WHOAMI)
        return Reply.json({"error": INVALID_CREDENTIALS}, status=401, headers={"x-error-message": INVALID_CREDENTIALS})

    return {
        "/api/whoami-v2": whoami,
        "/api/models/org/good": good,
        f"/org/good/raw/{SHA}/README.md": Reply(body="---\nlicense: apache-2.0\n---\n# Good model\nUsage: ...", headers={"content-type": "text/plain; charset=utf-8"}),
        "/api/models/org/gated": Reply.json(GATED_MODEL),
        f"/org/gated/raw/{SHA}/README.md": Reply(403, "gated", headers={"x-error-code": "GatedRepo"}),
        "/api/models/org/missing": Reply.json({"error": "Repository not found"}, status=404, headers=NOT_FOUND_HEADERS),
        "/api/models/org/private": private,
        "/api/models/org/disabled": Reply.json(
            {"error": "Access to this resource is disabled."},
            status=403,
            headers={"x-error-message": "Access to this resource is disabled."},
        ),
        "/api/models/org/old-name": Reply.json({**GOOD_MODEL, "id": "org/new-name", "siblings": []}),
        "/api/models/org/down": Reply(503, "unavailable"),
        "/api/datasets/org/data": Reply.json(DATASET),
        "/api/spaces/org/demo": Reply.json(SPACE),
        "/api/organizations/org/overview": Reply.json(
            {"name": "org", "fullname": "The Org", "numModels": 12, "numDatasets": 3, "numSpaces": 1, "numFollowers": 99, "isVerified": True}
        ),
        "/api/organizations/alice/overview": Reply.json({"error": "Not found"}, status=404),
        "/api/users/alice/overview": Reply.json({"user": "alice", "fullname": "Alice", "numModels": 2, "numDatasets": 0, "numSpaces": 4}),
        "/api/organizations/lab/overview": Reply.json({"name": "lab", "fullname": "A Lab"}),
        "/api/models": lambda seen: Reply.json([{"id": f"lab/m{i}"} for i in range(3)] if seen.query.get("author") == ["lab"] else []),
        "/api/datasets": lambda seen: Reply.json([{"id": "lab/d"}] if seen.query.get("author") == ["lab"] else []),
        "/api/organizations/nobody/overview": Reply.json({"error": "Not found"}, status=404),
        "/api/users/nobody/overview": Reply.json({"error": "Not found"}, status=404),
    }
