"""The ML Code Completeness Checklist, judged from the repository's facts.

Papers with Code's checklist (NeurIPS 2019): a repository that gives its
dependencies, training code, evaluation code, pretrained models and results
is far more used than one that gives none (median 196 stars with all five,
1.5 with none). Each item passes or fails with the evidence named; the score
is the number of items met, mapped to 0-10 (two points each).

Read only from what the collector already fetched: the root listing, the
listing one level below (GraphQL; REST lists the root only, which the
evidence says), the README text (bounded) and the latest release. No item is
guessed from nothing: without a root listing the check is ``unknown``.

Whether a repository is ML code at all is decided from words, not from the
file tree: an ML framework named in the README, description or topics
(PyTorch, TensorFlow, JAX, Keras, Hugging Face ``transformers`` ...), an ML
topic (``deep-learning``, ``machine-learning`` ...), or at least
``min_ml_terms`` distinct ML terms ("neural network", "fine-tune",
"checkpoint", "language model" ...) across the README, description and the
paper's abstract. Anything else is ``skip`` ("not ML code").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from auditor.checking import CheckContext, check
from auditor.config import DEFAULT_WEIGHTS, setting
from auditor.models import Result
from checks._common import Gate, gate

KINDS = frozenset({"github_repo", "forge_repo", "anonymous_repo"})
ITEMS = ("dependencies", "training_code", "evaluation_code", "pretrained_models", "results")

# --------------------------------------------------------------------------- is it ML code?

FRAMEWORK_RE = re.compile(
    r"\b(?:pytorch|torch(?:vision|audio)?|tensorflow|tf\.keras|keras|jax|flax|optax|mxnet|paddlepaddle|"
    r"scikit-learn|sklearn|xgboost|lightgbm|huggingface|hugging face|transformers|diffusers|accelerate|"
    r"deepspeed|lightning|fairseq|detectron2|mmcv|mmdetection|timm|onnx|vllm|peft|trl)\b",
    re.IGNORECASE,
)
ML_TOPICS = frozenset(
    {"machine-learning", "deep-learning", "pytorch", "tensorflow", "jax", "keras", "neural-network",
     "neural-networks", "computer-vision", "nlp", "natural-language-processing", "llm", "llms",
     "large-language-models", "transformers", "reinforcement-learning", "diffusion-models", "diffusion",
     "generative-ai", "huggingface", "artificial-intelligence", "ai", "ml", "gan", "nerf", "vision-transformer",
     "representation-learning", "self-supervised-learning", "graph-neural-networks", "speech-recognition"}
)
ML_TERM_RE = re.compile(
    r"\b(neural networks?|deep learning|machine learning|language models?|llms?|transformers?|"
    r"fine-?tun(?:e|ed|ing)|pre-?train(?:ed|ing)?|checkpoints?|embeddings?|diffusion models?|"
    r"reinforcement learning|convolutional|attention|inference|training|dataset|benchmarks?|gpus?|"
    r"classifiers?|segmentation|detection)\b",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------- the five items

DEPENDENCY_FILE_RE = re.compile(
    r"^(?:requirements[\w.-]*\.(?:txt|in)|environment[\w.-]*\.ya?ml|conda[\w.-]*\.ya?ml|env\.ya?ml|"
    r"pyproject\.toml|setup\.py|setup\.cfg|pipfile(?:\.lock)?|poetry\.lock|uv\.lock|pixi\.toml|"
    r"dockerfile[\w.-]*|[\w.-]+\.dockerfile|docker-compose\.ya?ml|renv\.lock|description|"
    r"project\.toml|manifest\.toml|package\.json|cargo\.toml|go\.mod|install\.sh|"
    r"apptainer\.def|singularity[\w.-]*)$",
    re.IGNORECASE,
)
DEPENDENCY_DIRS = frozenset({"requirements", "docker", "env", "envs", "environment", "environments", "conda"})
INSTALL_COMMAND_RE = re.compile(
    r"(?:pip3? install\s+(?:-r\s+\S+|-e\s+\S+|\.|[\w\[\]=<>.,-]+)|conda (?:env )?create|conda env update|"
    r"mamba (?:env )?create|poetry install|uv sync|docker (?:build|pull|run))",
    re.IGNORECASE,
)

CODE_EXT = r"(?:py|ipynb|sh|jl|r|lua|m|cpp|cu|js|ts|bash|yaml|yml)"
TRAIN_NAME_RE = re.compile(
    rf"^(?:[\w-]*?(?:^|[_-]))?(?:train(?:ing)?|finetune|fine_tune|fine-tune|pretrain|pre_train|run_train|main_train)"
    rf"(?:[_-][\w-]*)?\.{CODE_EXT}$",
    re.IGNORECASE,
)
TRAIN_DIRS = frozenset({"train", "training", "finetune", "fine_tune", "finetuning", "pretrain", "pretraining"})
EVAL_NAME_RE = re.compile(
    rf"^(?:[\w-]*?(?:^|[_-]))?(?:eval|evaluate|evaluation|test|testing|benchmark|bench|reproduce|inference|infer|"
    rf"predict|validate|val)(?:[_-][\w-]*)?\.{CODE_EXT}$",
    re.IGNORECASE,
)
EVAL_DIRS = frozenset({"eval", "evals", "evaluation", "evaluate", "benchmark", "benchmarks", "reproduce",
                       "reproduction", "experiments"})
TRAIN_HEADING_RE = re.compile(r"\b(?:train(?:ing)?|fine-?tun(?:e|ing)|pre-?train(?:ing)?)\b", re.IGNORECASE)
EVAL_HEADING_RE = re.compile(r"\b(?:eval(?:uation|uate)?|test(?:ing)?|benchmark(?:s|ing)?|reproduc(?:e|ing|tion))\b", re.IGNORECASE)
TRAIN_COMMAND_RE = re.compile(
    r"(?:python3?|torchrun|accelerate launch|deepspeed|bash|sh|julia|Rscript)\s+(?:-m\s+)?(?:[\w./-]*/)?"
    r"[\w.-]*(?:train|finetune|fine_tune|pretrain)[\w.-]*",
    re.IGNORECASE,
)
EVAL_COMMAND_RE = re.compile(
    r"(?:python3?|torchrun|accelerate launch|deepspeed|bash|sh|julia|Rscript)\s+(?:-m\s+)?(?:[\w./-]*/)?"
    r"[\w.-]*(?:eval|test|bench|reproduce|infer)[\w.-]*",
    re.IGNORECASE,
)

WEIGHT_EXT_RE = re.compile(r"[\w.-]+\.(?:pt|pth|ckpt|safetensors|h5|hdf5|onnx|pb|tflite|gguf|npz|msgpack)\b", re.IGNORECASE)
HF_MODEL_RE = re.compile(
    r"(?:https?://)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/|docs/|papers/|blog/|join|login)"
    r"[\w.-]+/[\w.-]+",
    re.IGNORECASE,
)
RELEASE_DOWNLOAD_RE = re.compile(r"github\.com/[\w.-]+/[\w.-]+/releases/download/\S+", re.IGNORECASE)
WEIGHTS_HEADING_RE = re.compile(
    r"\b(?:pre-?trained|checkpoints?|model zoo|weights|model (?:card|download)s?|download (?:the )?models?|released models?)\b",
    re.IGNORECASE,
)
WEIGHT_DIRS = frozenset({"checkpoints", "checkpoint", "ckpt", "ckpts", "pretrained", "pretrained_models",
                         "weights", "models_zoo", "model_zoo"})
RELEASE_WEIGHTS_RE = re.compile(r"\b(?:weights?|checkpoints?|ckpts?|pre-?trained|models?)\b", re.IGNORECASE)

RESULTS_HEADING_RE = re.compile(
    r"\b(?:results?|performance|benchmarks?|leaderboard|main results|experiments?|model zoo)\b", re.IGNORECASE
)
HEADING_RE = re.compile(r"^\s{0,3}(?:#{1,6}\s+(.+?)\s*#*\s*$|<h[1-6][^>]*>(.*?)</h[1-6]>)", re.IGNORECASE | re.MULTILINE)
SETEXT_RE = re.compile(r"^([^\n]+)\n(?:=+|-+)\s*$", re.MULTILINE)
TABLE_ROW_RE = re.compile(r"^\s*\|(?=.*\|)(.+)$", re.MULTILINE)
TABLE_RULE_RE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$", re.MULTILINE)
NUMBER_CELL_RE = re.compile(r"\|\s*[*_]*[-+]?\d+(?:[.,]\d+)?\s*%?[*_]*\s*(?:±\s*\d+(?:\.\d+)?\s*)?(?=\|)")
HTML_NUMBER_CELL_RE = re.compile(r"<td[^>]*>\s*(?:<[^>]+>\s*)*[-+]?\d+(?:\.\d+)?\s*%?", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    """One checklist item: met or not, and what says so."""

    name: str
    met: bool
    evidence: str

    def as_json(self) -> dict[str, Any]:
        return {"pass": self.met, "evidence": self.evidence}


@dataclass(frozen=True)
class Listing:
    """File names a check may look at: the root and, when collected, one level below."""

    root: tuple[Mapping[str, Any], ...]
    below: Mapping[str, Sequence[str]] | None  # dir name -> entry names (dirs end in "/")

    def files(self) -> Iterable[str]:
        """Every file path known: ``name`` at the root, ``dir/name`` one level below."""
        for entry in self.root:
            if entry.get("type") != "dir":
                yield str(entry.get("name") or "")
        for folder, names in (self.below or {}).items():
            for name in names:
                if not name.endswith("/"):
                    yield f"{folder}/{name}"

    def dirs(self) -> Iterable[str]:
        for entry in self.root:
            if entry.get("type") == "dir":
                yield str(entry.get("name") or "")
        for folder, names in (self.below or {}).items():
            for name in names:
                if name.endswith("/"):
                    yield f"{folder}/{name[:-1]}"


def headings(text: str) -> list[str]:
    """Markdown ATX/setext and HTML headings of a README, in order."""
    found = [(m.start(), (m.group(1) or m.group(2) or "").strip()) for m in HEADING_RE.finditer(text)]
    found += [(m.start(), m.group(1).strip()) for m in SETEXT_RE.finditer(text)
              if m.group(1).strip() and not m.group(1).lstrip().startswith(("|", "-", "=", "<"))]
    return [re.sub(r"<[^>]+>|[*_`\[\]]", "", h).strip() for _, h in sorted(found)]


def _base(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _first(paths: Iterable[str], pattern: re.Pattern[str]) -> str | None:
    return next((p for p in paths if pattern.search(_base(p))), None)


def _first_dir(paths: Iterable[str], names: frozenset[str]) -> str | None:
    return next((p for p in paths if _base(p).casefold() in names), None)


def _first_heading(heads: Sequence[str], pattern: re.Pattern[str]) -> str | None:
    return next((h for h in heads if pattern.search(h)), None)


def _quote(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dependencies(listing: Listing, readme: str) -> Item:
    found = _first(listing.files(), DEPENDENCY_FILE_RE)
    if found:
        return Item("dependencies", True, f"file {found}")
    folder = _first_dir(listing.dirs(), DEPENDENCY_DIRS)
    if folder:
        return Item("dependencies", True, f"folder {folder}/")
    command = INSTALL_COMMAND_RE.search(readme)
    if command:
        return Item("dependencies", True, f"README command `{_quote(command.group(0))}`")
    return Item("dependencies", False, "no requirements/environment/pyproject/setup/Dockerfile file, folder or install command")


def _code_item(name: str, listing: Listing, readme: str, heads: Sequence[str], names: re.Pattern[str],
               dirs: frozenset[str], heading: re.Pattern[str], command: re.Pattern[str], what: str) -> Item:
    found = _first(listing.files(), names)
    if found:
        return Item(name, True, f"file {found}")
    folder = _first_dir(listing.dirs(), dirs)
    if folder:
        return Item(name, True, f"folder {folder}/")
    cmd = command.search(readme)
    if cmd:
        return Item(name, True, f"README command `{_quote(cmd.group(0))}`")
    head = _first_heading(heads, heading)
    if head:
        return Item(name, True, f"README section \"{_quote(head)}\"")
    return Item(name, False, f"no {what} script, folder, README command or section")


def training_code(listing: Listing, readme: str, heads: Sequence[str]) -> Item:
    return _code_item("training_code", listing, readme, heads, TRAIN_NAME_RE, TRAIN_DIRS, TRAIN_HEADING_RE,
                      TRAIN_COMMAND_RE, "training")


def evaluation_code(listing: Listing, readme: str, heads: Sequence[str]) -> Item:
    return _code_item("evaluation_code", listing, readme, heads, EVAL_NAME_RE, EVAL_DIRS, EVAL_HEADING_RE,
                      EVAL_COMMAND_RE, "evaluation/test/benchmark")


def pretrained_models(listing: Listing, readme: str, heads: Sequence[str], release: Mapping[str, Any] | None) -> Item:
    hf = HF_MODEL_RE.search(readme)
    if hf:
        return Item("pretrained_models", True, f"Hugging Face model link {_quote(hf.group(0))}")
    asset = RELEASE_DOWNLOAD_RE.search(readme)
    if asset:
        return Item("pretrained_models", True, f"release asset {_quote(asset.group(0))}")
    weights = WEIGHT_EXT_RE.search(readme)
    if weights:
        return Item("pretrained_models", True, f"weights file named in the README: {weights.group(0)}")
    found = _first(listing.files(), re.compile(rf"^{WEIGHT_EXT_RE.pattern}$", re.IGNORECASE))
    if found:
        return Item("pretrained_models", True, f"weights file {found}")
    head = _first_heading(heads, WEIGHTS_HEADING_RE)
    if head:
        return Item("pretrained_models", True, f"README section \"{_quote(head)}\"")
    folder = _first_dir(listing.dirs(), WEIGHT_DIRS)
    if folder:
        return Item("pretrained_models", True, f"folder {folder}/")
    if release and RELEASE_WEIGHTS_RE.search(f"{release.get('name') or ''} {release.get('tag') or ''}"):
        return Item("pretrained_models", True, f"release {release.get('name') or release.get('tag')}")
    return Item("pretrained_models", False, "no model link, weights file, release asset or pretrained/checkpoints section")


def results(readme: str, heads: Sequence[str]) -> Item:
    rows = [m.group(0) for m in TABLE_ROW_RE.finditer(readme)]
    if TABLE_RULE_RE.search(readme):
        numeric = [r for r in rows if NUMBER_CELL_RE.search(r.rstrip() + ("" if r.rstrip().endswith("|") else "|"))]
        if numeric:
            return Item("results", True, f"README table with numbers ({len(numeric)} rows)")
    html = HTML_NUMBER_CELL_RE.findall(readme)
    if len(html) >= 2:
        return Item("results", True, f"README HTML table with numbers ({len(html)} cells)")
    head = _first_heading(heads, RESULTS_HEADING_RE)
    if head:
        return Item("results", True, f"README section \"{_quote(head)}\"")
    return Item("results", False, "no results table with numbers or Results section in the README")


def is_ml(data: Mapping[str, Any], abstract: str, min_terms: int) -> tuple[bool, str]:
    """Whether the repository is ML code, and why (see the module docstring)."""
    readme = str(((data.get("readme") or {}).get("text")) or "")
    description = str(data.get("description") or "")
    topics = {str(t).casefold() for t in data.get("topics") or []}
    hit = ML_TOPICS & topics
    if hit:
        return True, f"ML topic {sorted(hit)[0]!r}"
    framework = FRAMEWORK_RE.search(readme) or FRAMEWORK_RE.search(description)
    if framework:
        return True, f"ML framework {framework.group(0)!r} named"
    terms = {m.group(1).casefold().rstrip("s") for m in ML_TERM_RE.finditer(f"{readme}\n{description}\n{abstract}")}
    if len(terms) >= min_terms:
        return True, f"{len(terms)} ML terms ({', '.join(sorted(terms)[:4])})"
    return False, (f"not ML code: no ML topic or framework in the README, description or topics, and "
                   f"{len(terms)} ML term(s) in them and the abstract (needs {min_terms})")


def judge(data: Mapping[str, Any]) -> list[Item]:
    """The five items from a repository's facts (root listing present)."""
    readme = str(((data.get("readme") or {}).get("text")) or "")
    heads = headings(readme)
    listing = Listing(tuple(data.get("root_files") or ()), data.get("subdir_files"))
    return [
        dependencies(listing, readme),
        training_code(listing, readme, heads),
        evaluation_code(listing, readme, heads),
        pretrained_models(listing, readme, heads, data.get("latest_release")),
        results(readme, heads),
    ]


@check(
    "ml_completeness",
    description="ML Code Completeness Checklist: dependencies, training and evaluation code, pretrained models, results.",
    weight=DEFAULT_WEIGHTS["ml_completeness"],
)
def ml_completeness(ctx: CheckContext) -> Result:
    gated = gate(ctx, KINDS)
    if not isinstance(gated, Gate):
        return gated
    data = gated.data
    if data.get("root_files") is None:
        return Result("unknown", "no root listing collected: the checklist cannot be judged", None,
                      {"missing": "root_files"})
    ml, why = is_ml(data, ctx.paper.abstract or "", int(setting(ctx.settings, "ml_completeness", "min_ml_terms")))
    if not ml:
        return Result("skip", why, None, {"ml": False})
    items = judge(data)
    met = [i.name for i in items if i.met]
    missing = [i.name.replace("_", " ") for i in items if not i.met]
    score = 2.0 * len(met)
    status = "pass" if len(met) == 5 else "warn" if len(met) >= 3 else "fail"
    listed = "root and one level below" if data.get("subdir_files") is not None else "root only"
    reason = f"{len(met)}/5 checklist items" + (f"; missing: {', '.join(missing)}" if missing else "")
    evidence = {"ml": why, "listing": listed, "items": {i.name: i.as_json() for i in items}}
    return Result(status, reason, score, evidence)
