"""ml_completeness on hand-made facts shaped like real research repositories.

The layouts follow the public trees of karpathy/nanoGPT (root files only, a
README with a baselines table), CompVis/stable-diffusion (scripts/ and
configs/ one level below, weights on Hugging Face), a "code coming soon"
placeholder, an R package (tidyverse-style DESCRIPTION, R/, man/: not ML)
and a REST-collected repository (root only). File names are theirs; README
texts are cut to the parts the checklist reads.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from auditor.checking import CheckContext
from auditor.models import Facts, Link, Paper, Target
from checks.ml_completeness import headings, is_ml, judge, ml_completeness

KEY = "github:acme/model"


def ctx(data: dict[str, Any] | None, abstract: str = "We study a problem.", status: str = "ok") -> CheckContext:
    target = Target(key=KEY, kind="github_repo", host="github.com", url="https://github.com/acme/model")
    facts = None if data is None else Facts(KEY, status, datetime(2026, 11, 1, tzinfo=timezone.utc), data)  # type: ignore[arg-type]
    return CheckContext(
        paper=Paper("p1", "A paper", abstract, date(2024, 5, 1)),
        as_of=date(2026, 11, 23),
        link=Link(raw=KEY, url=target.url, target=target),
        facts=facts,
    )


def f(name: str) -> dict[str, Any]:
    return {"name": name, "type": "file", "size": 1000}


def d(name: str) -> dict[str, Any]:
    return {"name": name, "type": "dir", "size": 0}


NANOGPT_README = """# nanoGPT

The simplest, fastest repository for training/finetuning medium-sized GPTs.

## install

```
pip install torch numpy transformers datasets tiktoken wandb tqdm
```

## quick start

```sh
python data/shakespeare_char/prepare.py
python train.py config/train_shakespeare_char.py
```

## baselines

| model | params | train loss | val loss |
| ------| ------ | ---------- | -------- |
| gpt2 | 124M         | 3.11  | 3.12   |
| gpt2-medium | 350M  | 2.85  | 2.84   |

## finetuning

## sampling / inference

Use the script `sample.py` to sample either from pre-trained GPT-2 models released by OpenAI, or from a model you trained yourself.
"""

NANOGPT = {
    "description": "The simplest, fastest repository for training/finetuning medium-sized GPTs.",
    "topics": [],
    "readme": {"name": "README.md", "size": len(NANOGPT_README), "text": NANOGPT_README},
    "root_files": [d("assets"), d("config"), d("data"), f(".gitattributes"), f(".gitignore"), f("LICENSE"),
                   f("README.md"), f("bench.py"), f("configurator.py"), f("model.py"), f("sample.py"),
                   f("scaling_laws.ipynb"), f("train.py"), f("transformer_sizing.ipynb")],
    "subdir_files": {"assets": ["gpt2_124M_loss.png", "nanogpt.jpg"],
                     "config": ["eval_gpt2.py", "finetune_shakespeare.py", "train_gpt2.py", "train_shakespeare_char.py"],
                     "data": ["openwebtext/", "shakespeare/", "shakespeare_char/"]},
    "latest_release": None,
}

SD_README = """# Stable Diffusion

## Requirements
A suitable [conda](https://conda.io/) environment named `ldm` can be created and activated with:

```
conda env create -f environment.yaml
conda activate ldm
```

## Stable Diffusion v1

The weights are available via [the CompVis organization at Hugging Face](https://huggingface.co/CompVis/stable-diffusion-v-1-4-original).

## Weights

We currently provide the following checkpoints: `sd-v1-1.ckpt`, `sd-v1-2.ckpt`.

Evaluations with different classifier-free guidance scales show the relative improvements.

### Text-to-Image with Stable Diffusion

```
python scripts/txt2img.py --prompt "a photograph of an astronaut riding a horse" --plms
```
"""

STABLE_DIFFUSION = {
    "description": "A latent text-to-image diffusion model",
    "topics": [],
    "readme": {"name": "README.md", "size": len(SD_README), "text": SD_README},
    "root_files": [d("assets"), d("configs"), d("data"), d("ldm"), d("models"), d("scripts"), f("LICENSE"),
                   f("README.md"), f("Stable_Diffusion_v1_Model_Card.md"), f("environment.yaml"), f("main.py"),
                   f("notebook_helpers.py"), f("setup.py")],
    "subdir_files": {"scripts": ["img2img.py", "inpaint.py", "knn2img.py", "sample_diffusion.py", "train_searcher.py",
                                 "txt2img.py"],
                     "configs": ["autoencoder/", "latent-diffusion/", "retrieval-augmented-diffusion/", "stable-diffusion/"],
                     "ldm": ["data/", "models/", "modules/", "lr_scheduler.py", "util.py"]},
    "latest_release": None,
}

PLACEHOLDER_README = "# FastThing\n\nOfficial PyTorch implementation of our CVPR 2024 paper.\n\nCode coming soon.\n"
PLACEHOLDER = {
    "readme": {"name": "README.md", "size": len(PLACEHOLDER_README), "text": PLACEHOLDER_README},
    "root_files": [f("README.md"), f("LICENSE")],
    "subdir_files": {},
}

DINOV2_README = """# DINOv2: Learning Robust Visual Features without Supervision

PyTorch implementation and pretrained models for DINOv2.

## Pretrained models

| model | # of params | ImageNet k-NN | ImageNet linear | download |
|---|---:|---:|---:|---|
| ViT-S/14 distilled | 21 M | 79.0% | 81.1% | [backbone only](https://dl.fbaipublicfiles.com/dinov2/dinov2_vits14/dinov2_vits14_pretrain.pth) |
| ViT-B/14 distilled | 86 M | 82.1% | 84.5% | [backbone only](https://dl.fbaipublicfiles.com/dinov2/dinov2_vitb14/dinov2_vitb14_pretrain.pth) |

## Training

### Fast setup: training DINOv2 ViT-L/16 on ImageNet-1k
"""

DINOV2 = {
    "readme": {"name": "README.md", "size": len(DINOV2_README), "text": DINOV2_README},
    "root_files": [d(".github"), d("dinov2"), d("notebooks"), d("scripts"), f("CODE_OF_CONDUCT.md"),
                   f("CONTRIBUTING.md"), f("LICENSE"), f("MODEL_CARD.md"), f("README.md"), f("conda.yaml"),
                   f("hubconf.py"), f("pyproject.toml"), f("requirements-dev.txt"), f("requirements.txt"),
                   f("setup.cfg"), f("setup.py")],
    "subdir_files": {"dinov2": ["configs/", "data/", "distributed/", "eval/", "fsdp/", "hub/", "layers/", "logging/",
                                "loss/", "models/", "run/", "train/", "utils/", "__init__.py"],
                     "scripts": ["lint.sh"], "notebooks": ["semantic_segmentation.ipynb", "depth_estimation.ipynb"]},
}

R_PACKAGE_README = "# ggplot2\n\nggplot2 is a system for declaratively creating graphics, based on The Grammar of Graphics.\n"
R_PACKAGE = {
    "description": "An implementation of the Grammar of Graphics in R",
    "topics": ["r", "visualisation", "data-visualisation"],
    "readme": {"name": "README.md", "size": len(R_PACKAGE_README), "text": R_PACKAGE_README},
    "root_files": [d("R"), d("man"), d("tests"), d("vignettes"), f("DESCRIPTION"), f("NAMESPACE"), f("README.md")],
    "subdir_files": {"tests": ["testthat/", "testthat.R"]},
}


def items(result: Any) -> dict[str, bool]:
    return {k: v["pass"] for k, v in result.evidence["items"].items()}


def test_nanogpt_layout_meets_four_items_and_names_each_evidence() -> None:
    r = ml_completeness(ctx(NANOGPT))
    assert items(r) == {"dependencies": True, "training_code": True, "evaluation_code": True,
                        "pretrained_models": False, "results": True}
    assert (r.status, r.score) == ("warn", 8.0)
    ev = r.evidence["items"]
    assert ev["dependencies"]["evidence"].startswith("README command `pip install torch")
    assert ev["training_code"]["evidence"] == "file train.py"
    assert ev["evaluation_code"]["evidence"] == "file bench.py"
    assert ev["results"]["evidence"] == "README table with numbers (2 rows)"
    assert "missing: pretrained models" in r.reason
    assert r.evidence["listing"] == "root and one level below"


def test_stable_diffusion_layout_meets_three_evaluation_and_results_missing() -> None:
    r = ml_completeness(ctx(STABLE_DIFFUSION))
    assert (r.status, r.score) == ("warn", 6.0)
    assert r.reason == "3/5 checklist items; missing: evaluation code, results"
    ev = r.evidence["items"]
    assert ev["dependencies"]["evidence"] == "file environment.yaml"
    assert ev["training_code"]["evidence"] == "file scripts/train_searcher.py"  # one level below
    assert ev["pretrained_models"]["evidence"] == "Hugging Face model link https://huggingface.co/CompVis/stable-diffusion-v-1-4-original"


def test_dinov2_layout_meets_all_five() -> None:
    r = ml_completeness(ctx(DINOV2))
    assert (r.status, r.score, r.reason) == ("pass", 10.0, "5/5 checklist items")
    ev = r.evidence["items"]
    assert ev["dependencies"]["evidence"] == "file conda.yaml"
    assert ev["training_code"]["evidence"] == "folder dinov2/train/"
    assert ev["evaluation_code"]["evidence"] == "folder dinov2/eval/"
    assert ev["pretrained_models"]["evidence"] == "weights file named in the README: dinov2_vits14_pretrain.pth"
    assert ev["results"]["evidence"] == "README table with numbers (2 rows)"


def test_placeholder_is_ml_and_scores_zero() -> None:
    r = ml_completeness(ctx(PLACEHOLDER))
    assert (r.status, r.score) == ("fail", 0.0)
    assert r.evidence["ml"] == "ML framework 'PyTorch' named"
    assert all(not v for v in items(r).values())
    assert "missing: dependencies, training code, evaluation code, pretrained models, results" in r.reason


def test_r_package_is_not_ml_code_and_skips_saying_why() -> None:
    r = ml_completeness(ctx(R_PACKAGE, abstract="We present a layered grammar of graphics."))
    assert r.status == "skip"
    assert r.reason.startswith("not ML code:") and "needs 3" in r.reason


def test_ml_terms_in_the_abstract_can_make_a_repository_ml() -> None:
    abstract = "We fine-tune a language model on a new dataset and report training and inference costs."
    ml, why = is_ml(R_PACKAGE, abstract, 3)
    assert ml and why.startswith("5 ML terms")
    assert is_ml(R_PACKAGE, "A grammar of graphics.", 3)[0] is False


def test_ml_topic_decides() -> None:
    assert is_ml({"topics": ["Deep-Learning"]}, "", 3) == (True, "ML topic 'deep-learning'")


def test_without_listing_unknown_and_without_facts_unknown() -> None:
    data = dict(NANOGPT, root_files=None)
    assert ml_completeness(ctx(data)).status == "unknown"
    assert ml_completeness(ctx(None)).status == "unknown"
    assert ml_completeness(ctx(NANOGPT, status="unknown")).status == "unknown"


def test_rest_listing_root_only_still_judged_from_readme() -> None:
    """A REST run lists only the root: a training script in scripts/ counts through its README command."""
    readme = ("# Repo\n\nPyTorch code.\n\n```\nbash scripts/run_finetune.sh\npython -m tools.evaluate --ckpt x\n```\n"
              "## Results\n\nSee the paper.\n")
    data = {"readme": {"name": "README.md", "size": len(readme), "text": readme},
            "root_files": [d("scripts"), d("tools"), f("README.md"), f("requirements.txt")]}
    r = ml_completeness(ctx(data))
    assert r.evidence["listing"] == "root only"
    ev = r.evidence["items"]
    assert ev["training_code"]["evidence"] == "README command `bash scripts/run_finetune.sh`"
    assert ev["evaluation_code"]["evidence"] == "README command `python -m tools.evaluate`"
    assert ev["dependencies"]["evidence"] == "file requirements.txt"
    assert ev["results"]["evidence"] == 'README section "Results"'
    assert ev["pretrained_models"]["pass"] is False
    assert (r.status, r.score) == ("warn", 8.0)


def test_weights_in_the_tree_and_html_tables() -> None:
    readme = ("<h2>Main results</h2>\n<table><tr><th>Model</th><th>mAP</th></tr><tr><td>Ours</td><td>41.2</td></tr>"
              "<tr><td>Base</td><td><b>38.0</b></td></tr></table>\nUses PyTorch.\n")
    data = {"readme": {"name": "README.md", "size": len(readme), "text": readme},
            "root_files": [d("weights"), f("README.md")], "subdir_files": {"weights": ["yolo_s.pt"]}}
    got = {i.name: i for i in judge(data)}
    assert got["pretrained_models"].evidence == "weights file weights/yolo_s.pt"
    assert got["results"].evidence == "README HTML table with numbers (2 cells)"


def test_a_table_without_numbers_is_no_result() -> None:
    readme = "PyTorch.\n\n| step | command |\n|---|---|\n| setup | `make` |\n"
    got = {i.name: i for i in judge({"readme": {"text": readme}, "root_files": [f("README.md")]})}
    assert got["results"].met is False


def test_unit_tests_count_as_evaluation_only_by_name_not_folder() -> None:
    got = {i.name: i for i in judge({"readme": {"text": ""}, "root_files": [d("tests")], "subdir_files": {"tests": ["conftest.py"]}})}
    assert got["evaluation_code"].met is False
    got = {i.name: i for i in judge({"readme": {"text": ""}, "root_files": [d("tests")], "subdir_files": {"tests": ["test_model.py"]}})}
    assert got["evaluation_code"].evidence == "file tests/test_model.py"


def test_release_named_for_weights_counts() -> None:
    got = {i.name: i for i in judge({"readme": {"text": ""}, "root_files": [f("a.py")],
                                     "latest_release": {"tag": "v1.0", "name": "Pretrained checkpoints"}})}
    assert got["pretrained_models"].evidence == "release Pretrained checkpoints"


def test_headings_markdown_setext_and_html() -> None:
    text = "# Title\n\nIntro\n\nTraining\n--------\n\n<h3>Model <i>zoo</i></h3>\n|a|b|\n|---|---|\n"
    assert headings(text) == ["Title", "Training", "Model zoo"]
