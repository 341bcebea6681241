"""Code-availability claims, from real abstracts (dumps and the arXiv sample).

Expected kinds were decided by reading each sentence.
"""

from __future__ import annotations

import pytest

from auditor.claims import find_claims, split_sentences
from auditor.extract import claim_for, extract
from auditor.links import find_links


def _kinds(text: str) -> list[tuple[str, str | None]]:
    return [(c.kind, c.target_key) for c in find_claims(text, find_links(text))]


# --------------------------------------------------------------------------- linked claims

LINKED = [
    # available (dumps)
    ("The code is available at https://github.com/cpa2001/TreeSynth.", "available", "github:cpa2001/treesynth"),
    ("Our code is publicly available at: https://github.com/Paranioar/SHERL.", "available", "github:paranioar/sherl"),
    ("We release our source code at https://github.com/modelscope/agentscope/tree/main/examples/paper_llm_based_algorithms.",
     "available", "github:modelscope/agentscope"),
    ("This work can be found on Github https://github.com/hahahawu/Long-to-Short-via-Model-Merging.",
     "available", "github:hahahawu/long-to-short-via-model-merging"),
    ("The parameter efficiency of adapter-based PET methods. Code: https://github.com/JieShibo/PETL-ViT",
     "available", "github:jieshibo/petl-vit"),
    ("DistZO2's code has been open-sourced in https://github.com/liangyuwang/zo2.", "available", "github:liangyuwang/zo2"),
    ("Code and pre-trained models at https://github.com/facebookresearch/SEAL.", "available", "github:facebookresearch/seal"),
    ("Github Link: https://github.com/microsoft/FILM.", "available", "github:microsoft/film"),
    ("The models can be accessed at https://huggingface.co/inclusionAI.", "available", "huggingface:user:inclusionAI"),
    ("SmallThinker is publicly available at hf.co/PowerInfer/SmallThinker-4BA0.6B-Instruct.",
     "available", "huggingface:model:PowerInfer/SmallThinker-4BA0.6B-Instruct"),
    # available (sample): typo, missing scheme
    ("Codes are avaiable at github.com/daehuikim/GuRE.", "available", "github:daehuikim/gure"),
    # promised (dumps)
    ("The code for all experiments will be released at https: //github.com/tengwang0318/hierarchial_reward_model.",
     "promised", "github:tengwang0318/hierarchial_reward_model"),
    ("Our code will be released in the future at: https://github.com/microsoft/CoLM.", "promised", "github:microsoft/colm"),
    ("Our code will be available at https://github.com/wyxscir/CFSP.", "promised", "github:wyxscir/cfsp"),
    ("The code will be made available at https://github.com/jerryfeng2003/PointGST", "promised", "github:jerryfeng2003/pointgst"),
    ("Our code and data will be publicly available at https://icip-cas.github.io/LiveMCPBench.",
     "promised", "web:icip-cas.github.io/LiveMCPBench"),
    ("We will fully open source at https://github.com/Xingrun-Xing2/EfficientLLM.", "promised", "github:xingrun-xing2/efficientllm"),
    # promised (sample 2507.02358-style \href and 2511.xxxx footnote)
    ("Code will be released at $\\href{https://github.com/bradybuddiemarch/gcpo}{this}$.", "promised", "github:bradybuddiemarch/gcpo"),
    ("Code will be at github.com/Xu3XiWang/CAD-GD.", "promised", "github:xu3xiwang/cad-gd"),
    ("\\footnote{Code is coming soon at https://github.com/zjunlp/CBM.}", "promised", "github:zjunlp/cbm"),
    (("Source code, demo video, and datasets will be available at \\href{https://mias.group/birotation-solution}"
      "{mias.group/birotation-solution} upon publication."), "promised", "web:mias.group/birotation-solution"),
    # on request (sample 2503.20830)
    ("The\nrepository is available at: https://vault.sfu.ca/index.php/s/ryhf6t12O0sobuX\n(password upon request to the authors).",
     "on_request", "web:vault.sfu.ca/index.php/s/ryhf6t12O0sobuX"),
]


@pytest.mark.parametrize(("text", "kind", "key"), LINKED)
def test_linked_claims(text: str, kind: str, key: str) -> None:
    assert _kinds(text) == [(kind, key)]


def test_two_links_two_claims_in_one_sentence() -> None:
    # sample 2510.xxxxx ("Code is available at ... and model weights at ...")
    text = (
        "Code is available at https://github.com/PabloMessina/CURE and model weights at "
        "https://huggingface.co/pamessina/medgemma-4b-it-cure"
    )
    assert _kinds(text) == [
        ("available", "github:pablomessina/cure"),
        ("available", "huggingface:model:pamessina/medgemma-4b-it-cure"),
    ]


def test_mixed_sentence_each_link_takes_its_nearest_phrase() -> None:
    text = (
        "The code is available at https://github.com/a-lab/tool, and the dataset will be released "
        "upon acceptance at https://huggingface.co/datasets/a-lab/data."
    )
    assert _kinds(text) == [
        ("available", "github:a-lab/tool"),
        ("promised", "huggingface:dataset:a-lab/data"),
    ]


def test_links_on_the_line_after_the_claim_take_it() -> None:
    # sample 2509.06809: the claim sentence ends, the links follow on their own lines
    text = (
        "We make the code\nand data publicly available.\n  https://github.com/sileod/reasoning_core\n"
        "https://hf.co/datasets/reasoning-core/rc1"
    )
    assert _kinds(text) == [
        ("available", "github:sileod/reasoning_core"),
        ("available", "huggingface:dataset:reasoning-core/rc1"),
    ]


def test_link_without_claim_words_has_no_claim() -> None:
    # sample 2606.24058: a dataset is introduced with its link, nothing said about availability
    text = "Furthermore, we introduce a new dataset, EventCap (https://zenodo.org/records/14004909), specifically constructed."
    (link,) = find_links(text)
    claims = find_claims(text, [link])
    assert claims == ()
    assert claim_for(link, claims) is None


# --------------------------------------------------------------------------- claims without links

UNLINKED = [
    ("Our code is open-source.", "available"),  # 2505.16318
    ("We release our dataset and evaluation code to encourage future work in this direction.", "available"),
    ("We publicly release the fine-tuning weights and training scripts to support reproducibility.", "available"),
    ("The code and trained models are available in the accompanying open-source repository.", "available"),
    ("Our code will be released.", "promised"),  # 2507.23777
    ("The SoT-26K dataset will be released upon acceptance.", "promised"),  # 2601.21081
    ("The code will be released after the paper is accepted.", "promised"),
    ("We plan to make our code public upon acceptance.", "promised"),  # 2505.14376
    ("We will open-source our code and models in the future.", "promised"),  # 2508.01832
    ("The code will be available soon.", "promised"),
    ("Code will be made publicly available.", "promised"),
    ("The data that support the findings are available from the corresponding author upon reasonable request.", "on_request"),
]


@pytest.mark.parametrize(("sentence", "kind"), UNLINKED)
def test_unlinked_claims(sentence: str, kind: str) -> None:
    text = "We study a problem with a new method. " + sentence + " Results improve by 3.5% on MMLU."
    claims = find_claims(text, ())
    assert [(c.kind, c.target_key) for c in claims] == [(kind, None)]
    assert claims[0].sentence == sentence


NEGATIVES = [
    # "available" / "open-source" in senses that are not a release (all from the sample)
    "The difficulty is attributable to overfitting to reference images, which worsens if only a single reference image is available.",
    "Specially, a 32B open-source model, using a single reasoning trace, can achieve performance comparable to the GPT series.",
    "We comprehensively evaluate a diverse set of open-source code generation models ranging from 1.5B to 15B parameters.",
    "The proposed framework is evaluated using three publicly available benchmark datasets, each corresponding to a distinct task.",
    "Our experiments on publicly available and representative clinical fetal MRI datasets demonstrate the superior robustness.",
    "However, publicly available, wellannotated CRF datasets are scarce, limiting the development of CRF slot filling systems.",
    "Due to the limited computational resources available on UAVs, large models cannot be run independently for real-time analysis.",
    "DeepSeek recently released R1, a high-performing large language model (LLM) optimized for reasoning tasks.",
    "By using spatial logic, the goal is to make these powerful analytical tools more practical and accessible in real-world clinical settings.",
    "Generative AI is transforming how technical knowledge can be accessed, reused, and extended.",
    "Recent work has shown that eliciting LLMs to generate reasoning traces before answering the user's request can improve them.",
    "We find that the code is not publicly available for most of the surveyed methods.",
    "TerraIncognita will be updated regularly and will provide an evolving platform for longitudinal benchmarking.",
]


@pytest.mark.parametrize("sentence", NEGATIVES)
def test_no_claim_in_unrelated_uses(sentence: str) -> None:
    assert find_claims(sentence, ()) == ()


# --------------------------------------------------------------------------- sentences


def test_sentences_do_not_break_at_urls_abbreviations_or_versions() -> None:
    text = (
        "We compare with prior work (Smith et al. 2024), e.g. GPT-4 and Llama v3.1. "
        "Visit https://smerf-3d.github.io. Then https://github. com/jhn25/EXPO-SQL is cited. Fig. 3 shows it."
    )
    links = find_links(text)
    spans = []
    for link in links:
        i = text.find(link.raw.rstrip("."))
        spans.append((i, i + len(link.raw.rstrip("."))))
    sentences = [text[a:b].strip() for a, b in split_sentences(text, spans)]
    assert sentences == [
        "We compare with prior work (Smith et al. 2024), e.g. GPT-4 and Llama v3.1.",
        "Visit https://smerf-3d.github.io.",
        "Then https://github. com/jhn25/EXPO-SQL is cited.",
        "Fig. 3 shows it.",
    ]


def test_extract_on_dump_abstract_attaches_claims() -> None:
    # dumps: two links, two claims in two sentences
    text = (
        "We integrate our method in llama-index and it can be found at the following PR: "
        "https://github.com/run-llama/llama_index/pull/17590. Code for running experiments using this llama-index "
        "implementation can be found at https://github.com/microsoft/REBEL."
    )
    result = extract(text)
    assert [claim_for(link, result.claims) for link in result.links] == ["available", "available"]
    assert result.links[0].number == 17590


def test_unlinked_will_be_provided_and_can_be_found() -> None:
    text = "We study X. The code will be provided to reviewers. All data can be found in the supplement. Results hold."
    assert [(c.kind, c.sentence) for c in find_claims(text, ())] == [
        ("promised", "The code will be provided to reviewers."),
        ("available", "All data can be found in the supplement."),
    ]


def test_long_sentence_before_the_link_is_kept_whole() -> None:
    # the sentence holding the link starts far before it: its start is still found
    long = "Our code, " + "which covers many settings and baselines, " * 15 + "is available at https://github.com/a/b."
    text = "First sentence here. " + long + " Last one."
    (claim,) = find_claims(text, find_links(text))
    assert claim.sentence == long
    assert claim.kind == "available"
