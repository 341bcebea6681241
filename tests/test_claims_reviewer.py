"""Claims read as a careful reviewer reads them: what is claimed (the object), sentences that
only point somewhere, tense and wording, two claims in one sentence, placeholder links.

Each text is quoted from ../shared/abstracts/arxiv-2025-2026-sample.jsonl (arXiv id given)
or, where the sample holds no example, from the real abstract wording quoted in the issue
that asked for the case; the expected claims were decided by reading the sentence.
"""

from __future__ import annotations

from datetime import date

import pytest

from auditor.checking import CheckContext
from auditor.extract import claim_for, claim_object_for, extract
from auditor.models import Facts, Paper
from checks.claim_kept import claim_kept


def _claims(text: str) -> list[tuple[str, str, str | None]]:
    return [(c.kind, c.object, c.target_key) for c in extract(text).claims]


# --------------------------------------------------------------------------- the object

OBJECTS = [
    ("Our code is publicly available at: https://github.com/Paranioar/SHERL.", "code"),
    ("Code and pre-trained models at https://github.com/facebookresearch/SEAL.", "code+model"),
    # 2504.18959
    ("Code and data are available at github.com/bowen-upenn/PersonaMem.", "code+data"),
    # 2504.10647
    ("The code, dataset, and model checkpoints will be made available at "
     "https://github.com/NafisSadeq/reasoning-distillation.git.", "code+model+data"),
    # 2602.10732: a dataset, said of the data
    ("The data can be accessed here https://huggingface.co/datasets/AlaaAhmed2444/Macaron.", "data"),
    # dumps: a name only; the Hub model says what it is
    ("SmallThinker is publicly available at hf.co/PowerInfer/SmallThinker-4BA0.6B-Instruct.", "model"),
    # "resources" name nothing in particular
    ("All resources are released at https://github.com/a-lab/suite.", "unspecified"),
]


@pytest.mark.parametrize(("text", "obj"), OBJECTS)
def test_each_claim_says_what_it_is_about(text: str, obj: str) -> None:
    ((kind, got, key),) = _claims(text)
    assert key is not None
    assert got == obj


UNLINKED_OBJECTS = [
    ("We release our dataset and evaluation code to encourage future work in this direction.", "available", "code+data"),
    ("We publicly release the fine-tuning weights and training scripts to support reproducibility.", "available",
     "code+model"),
    ("The SoT-26K dataset will be released upon acceptance.", "promised", "data"),  # 2601.21081
    # 2506.08012
    ("This paves the way for robust GUI automation, with all data, models, environments, and tools to be released "
     "publicly.", "promised", "code+model+data"),
    # 2505.22705: "we have open-sourced" + what follows
    ("To accelerate research, we have open-sourced all the codes and model weights of HiDream-I1.", "available",
     "code+model"),
]


@pytest.mark.parametrize(("sentence", "kind", "obj"), UNLINKED_OBJECTS)
def test_unlinked_claims_have_their_object(sentence: str, kind: str, obj: str) -> None:
    assert _claims("We study a problem. " + sentence + " Results improve by 3.5%.") == [(kind, obj, None)]


# --------------------------------------------------------------------------- pointing is not claiming

POINTERS = [
    "Project page: \\href{https://zju3dv.github.io/panogs}{https://zju3dv.github.io/panogs}.",  # 2503.18107
    "Project website: https://gitee.com/jswrt/TBYS",  # 2508.18648
    "Project page: https://github.com/HongyouZhou/ruac.git.",  # 2605.10603: a page, whatever it links
    "The demo video is available at www.youtube.com/watch?v=XFZyoleN56k.",  # 2603.18173
    "Video demonstrations are available at https://anonymous.4open.science/w/MoE-GS-68BA/.",  # 2510.19210
    "We provide video results and more examples in our project website: "
    '<a href="https://cumulo-autumn.github.io/StreamDiT/">this https URL.</a>',  # 2507.03745
    "For the complete statistics, see https://zenodo.org/records/13683801",  # 2505.12970
    "The demo is available at https://huggingface.co/spaces/cshuai20/MAGenIdeas.",  # 2604.20548: a hosted service
    "The project page can be accessed \\href{https://amap-ml.github.io/FE2E/}{here}.",  # 2509.04338
    # a repository site's boilerplate (the wording)
    "Available from: https://ideas.repec.org/p/abc/wpaper/123.html [accessed 2024-05-01].",
]


@pytest.mark.parametrize("text", POINTERS)
def test_a_sentence_that_only_points_is_no_claim_but_keeps_its_link(text: str) -> None:
    result = extract("We study a problem. " + text)
    assert len(result.links) == 1  # the link stays, with its kind and target
    assert result.claims == ()
    assert claim_for(result.links[0], result.claims) is None


def test_unlinked_pointer_is_no_claim() -> None:
    # the wording: supplementary material on a website is not code
    assert _claims("We study X. Supplementary material is available on our website. It works.") == []


def test_a_page_beside_a_claim_takes_none_of_it() -> None:
    # 2604.10321: the data set is claimed; the challenge's homepage is a page
    text = (
        "The proposed OpenRR-5k dataset is available at https://huggingface.co/datasets/qiuzhangTiTi/OpenRR-5k, "
        "and the homepage of this challenge is at https://github.com/caijie0620/OpenRR-5k."
    )
    assert _claims(text) == [("available", "data", "huggingface:dataset:qiuzhangTiTi/OpenRR-5k")]


LABELS = [
    ("Code: https://github.com/JieShibo/PETL-ViT", "code"),
    ("Code - https://github.com/JieShibo/PETL-ViT", "code"),
    ("GitHub: https://github.com/JieShibo/PETL-ViT", "code"),
    ("Resources: https://example.org/petl", "unspecified"),
]


@pytest.mark.parametrize(("text", "obj"), LABELS)
def test_a_bare_label_is_a_claim(text: str, obj: str) -> None:
    ((kind, got, _),) = _claims("We study a problem. " + text)
    assert (kind, got) == ("available", obj)


def test_each_link_takes_its_own_label() -> None:
    # 2603.21115
    text = "Project Page: https://candy-crusher.github.io/LiFR_Seg_Proj/#; Code: https://github.com/Candy-Crusher/LiFR-Seg.git."
    assert _claims(text) == [("available", "code", "github:candy-crusher/lifr-seg")]
    # 2601.21666
    text = (
        "We release SONIC-O1 for reproducibility and research: Project page: https://vectorinstitute.github.io/sonic-o1/ "
        "Dataset: https://huggingface.co/datasets/vector-institute/sonic-o1 Github: https://github.com/vectorinstitute/sonic-o1"
    )
    assert _claims(text) == [
        ("available", "data", "huggingface:dataset:vector-institute/sonic-o1"),
        ("available", "code", "github:vectorinstitute/sonic-o1"),
    ]


def test_a_page_label_does_not_undo_a_release_said_before_it() -> None:
    # 2505.22705
    text = (
        "To accelerate multi-modal AIGC research, we have\nopen-sourced all the codes and model weights of HiDream-I1-Full,\n"
        "HiDream-I1-Dev, HiDream-I1-Fast, HiDream-E1 through our project websites:\n"
        "https://github.com/HiDream-ai/HiDream-I1 and\nhttps://github.com/HiDream-ai/HiDream-E1."
    )
    assert _claims(text) == [
        ("available", "code+model", "github:hidream-ai/hidream-i1"),
        ("available", "code+model", "github:hidream-ai/hidream-e1"),
    ]


# --------------------------------------------------------------------------- tense and wording

WORDING = [
    ("The code will be added at https://github.com/a-lab/tool.", "promised"),  # the wording
    ("The code will be open-sourced in the near future.", "promised"),
    ("The code will be open-sourced in a future release.", "promised"),  # 2505.18596
    ("All models, datasets, and code are ready to be released under open licenses.", "promised"),  # 2604.13071
    ("\\footnote{Code is coming soon at https://github.com/zjunlp/CBM.}", "promised"),  # 2605.30219
    ("The code is coming.", "promised"),
    ("Our implementation has been integrated into the Hugging Face diffusers library.", "available"),
    # 2604.21590
    ("The data synthesis pipeline is also integrated into EasyDistill: https://github.com/modelscope/easydistill.",
     "available"),
    ("The dataset is part of the OpenX benchmark suite.", "available"),
    ("The code is included in the supplementary material.", "available"),
]


@pytest.mark.parametrize(("sentence", "kind"), WORDING)
def test_tense_and_wording(sentence: str, kind: str) -> None:
    claims = _claims("We study a problem. " + sentence + " Results improve.")
    assert [k for k, _, _ in claims] == [kind]


NOT_CLAIMS = [
    "Regulations such as the GDPR mandate data removal upon request.",  # the wording
    "Upon receiving a user prompt, the system routes the request to specialized task agents.",  # 2504.10519
    "As vision-based machine learning models are increasingly integrated into autonomous systems, concerns grow.",  # 2505.16318
    "This classifier is integrated into a hybrid chatbot that combines rule-based responses.",  # 2509.14249
    "Knowledge not included in their training data is hard to use.",  # 2504.07754
]


@pytest.mark.parametrize("sentence", NOT_CLAIMS)
def test_wording_that_is_no_claim(sentence: str) -> None:
    assert _claims("We study a problem. " + sentence + " Results improve.") == []


def test_one_sentence_two_claims_each_with_its_object() -> None:
    # the wording
    text = "We study X. The code will be publicly released, with annotated data available upon request. It works."
    assert _claims(text) == [("promised", "code", None), ("on_request", "data", None)]
    # a linked claim and an unlinked one in one sentence
    text = "The code is available at https://github.com/a-lab/tool, and the data will be released upon acceptance."
    assert _claims(text) == [("available", "code", "github:a-lab/tool"), ("promised", "data", None)]


def test_a_request_for_the_password_covers_the_link() -> None:
    # 2503.20830
    text = ("The\nrepository is available at: https://vault.sfu.ca/index.php/s/ryhf6t12O0sobuX\n"
            "(password upon request to the authors).")
    assert _claims(text) == [("on_request", "code", "web:vault.sfu.ca/index.php/s/ryhf6t12O0sobuX")]


def test_a_condition_after_the_release_makes_it_a_promise() -> None:
    # 2505.23353
    text = "We release our code and generated data at https://github.com/agr78/PRLx-GAN upon publication."
    assert _claims(text) == [("promised", "code+data", "github:agr78/prlx-gan")]


# --------------------------------------------------------------------------- placeholders

PLACEHOLDERS = [
    ("The code will be released at https://github.com/anonymous.", "github:anonymous"),
    ("Code will be available at https://github.com/.", "web:github.com"),
    ("The models will be released at https://huggingface.co/.", "web:huggingface.co"),
]


@pytest.mark.parametrize(("text", "key"), PLACEHOLDERS)
def test_a_forge_root_or_owner_page_is_a_placeholder(text: str, key: str) -> None:
    result = extract(text)
    (link,) = result.links
    assert (link.target.key, link.placeholder) == (key, True)
    assert claim_for(link, result.claims) == "promised"


def test_a_repository_link_is_no_placeholder() -> None:
    (link,) = extract("Code will be available at https://github.com/a-lab/tool.").links
    assert not link.placeholder


def test_claim_kept_never_judges_a_placeholder_as_the_repository() -> None:
    result = extract("The code will be released at https://github.com/anonymous.")
    (link,) = result.links
    paper = Paper(paper_id="p", title="T", abstract="", published_on=date(2024, 1, 1))
    # even an owner page that holds repositories is not the paper's repository
    facts = Facts(target_key=link.target.key, status="ok", fetched_at=None, data={"public_repos": 3})  # type: ignore[arg-type]
    ctx = CheckContext(paper=paper, as_of=date(2026, 11, 23), link=link, facts=facts, claims=result.claims,
                       links=result.links, settings={})
    r = claim_kept(ctx)
    assert (r.status, r.reason) == ("warn", "promised at a placeholder link, no repository named")
    assert claim_object_for(link, result.claims) == "code"
