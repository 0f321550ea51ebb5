"""Every rule in one place: code, name, default severity, message, explanation,
a bad and a good example, and whether it has a fix.

``docs/rules.md`` is generated from these objects (``python -m mmname_lsp.rules.docs``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

DOCS_URL = "https://github.com/mmname-lsp/mmname-lsp/blob/main/docs/rules.md"

NAME = "name"
REFERENCE = "reference"
CONSISTENCY = "consistency"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    category: str
    message: str
    explanation: str
    bad: str
    good: str
    fixable: bool = False
    # A safe fix never changes what the text means (applied by --fix and
    # source.fixAll); an unsafe one is a guess offered as a quick fix only.
    safe_fix: bool = True

    @property
    def anchor(self) -> str:
        return f"{self.code.lower()}-{self.name}"

    @property
    def url(self) -> str:
        return f"{DOCS_URL}#{self.anchor}"


_RULES = (
    Rule(
        "MMN100",
        "unreadable-input",
        "error",
        NAME,
        "Not a name: {detail}",
        "The text cannot be an MMPretrain name: it is empty, far too long, or holds "
        "white space or control characters.",
        "get_model('resnet50 8xb32 in1k')",
        "get_model('resnet50_8xb32_in1k')",
    ),
    Rule(
        "MMN101",
        "batch-format",
        "error",
        NAME,
        "Batch size written as `{found}`; the convention writes `{expected}`",
        "The training part gives GPUs and images per GPU as `{gpus}xb{batch}`, e.g. "
        "`8xb32` for 8 GPUs with 32 images each. `8x32`, `8xB32` and the old mmcls "
        "`b32x8` say the same thing in a form other tools do not understand; "
        "`batch256` gives only the total.",
        "resnet50_b32x8_in1k.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN102",
        "unknown-token",
        "warning",
        NAME,
        "Unknown word `{found}`; did you mean `{expected}`?",
        "The word is not in the vocabulary of MMPretrain names but is one or two "
        "edits away from a known one, so it is most likely a typo.",
        "resnet50_8xb32-colsr_in1k.py",
        "resnet50_8xb32-coslr_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN103",
        "dataset-spelled-out",
        "warning",
        NAME,
        "Dataset written as `{found}`; the convention writes `{expected}`",
        "Datasets have short names: `in1k` for ImageNet-1k, `in21k` for "
        "ImageNet-21k (also called ImageNet-22k).",
        "resnet50_8xb32_imagenet.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN104",
        "pretrain-without-pre",
        "warning",
        NAME,
        "Pretrain information `{found}` does not end with `-pre`",
        "The part that describes the pre-trained weights (source, method, dataset) "
        "ends with `-pre`, so that readers and tools can tell it from the module "
        "and the training parts.",
        "vit-base-p16_mae-in21k_8xb128-coslr-100e_in1k.py",
        "vit-base-p16_mae-in21k-pre_8xb128-coslr-100e_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN105",
        "resolution-without-px",
        "hint",
        NAME,
        "Input size `{found}` without `px`",
        "The input size in the data part is written `{size}px`, e.g. `in1k-384px`. "
        "Several upstream names write `-384`; it reads the same but is not the "
        "convention.",
        "swin-base_16xb64_in1k-384.py",
        "swin-base_16xb64_in1k-384px.py",
        True,
    ),
    Rule(
        "MMN106",
        "epochs-without-e",
        "warning",
        NAME,
        "Number `{found}` in the training part; epochs are written `{expected}`",
        "Epoch counts in the training part end with `e` (`300e`); a bare number is ambiguous.",
        "resnet50_8xb32-coslr-300_in1k.py",
        "resnet50_8xb32-coslr-300e_in1k.py",
        True,
    ),
    Rule(
        "MMN107",
        "upper-case",
        "warning",
        NAME,
        "`{found}` is written in upper case; the known word is `{expected}`",
        "Names are lower case, except for a few upstream variant codes such as "
        "`repvgg-A0` or `replknet-31B`.",
        "ResNet50_8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN108",
        "empty-part",
        "error",
        NAME,
        "Empty {what} in the name",
        "Two separators in a row (`__`, `--`) or a separator at the start or end "
        "leave an empty part or word.",
        "resnet50__8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN109",
        "joined-parts",
        "warning",
        NAME,
        "`{found}` joins the {left} and {right} parts with `-`; parts are joined with `_`",
        "Words inside a part are joined with `-`, parts with `_`. Upstream "
        "MMPretrain writes `in21k-pre-3rdparty` in some names; that is accepted "
        "with a hint.",
        "resnet50-8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
        True,
    ),
    Rule(
        "MMN110",
        "wrong-order",
        "warning",
        NAME,
        "Parts in the wrong order: {found}",
        "The parts come in the order algorithm, module, pretrain, training, data.",
        "resnet50_in1k_8xb32.py",
        "resnet50_8xb32_in1k.py",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN111",
        "config-3rdparty",
        "warning",
        NAME,
        "A config name carries `3rdparty`; its training information must be real",
        "A config describes how to train, so its training part gives the schedule; "
        "`3rdparty` belongs to names of converted weights only.",
        "convnext-base_3rdparty_in1k.py",
        "convnext-base_32xb128_in1k.py",
    ),
    Rule(
        "MMN112",
        "missing-training",
        "hint",
        NAME,
        "No training information in the {kind} name",
        "The convention asks for a training part (`8xb32-coslr-100e`) or `3rdparty` "
        "for converted weights. Some upstream names leave it out (task and "
        "evaluation-only configs).",
        "resnet50_in1k.py",
        "resnet50_8xb32_in1k.py",
    ),
    Rule(
        "MMN113",
        "checkpoint-date",
        "error",
        NAME,
        "`{found}` is not a date (YYYYMMDD)",
        "Checkpoint files are named `{model_name}_{YYYYMMDD}-{hash8}.pth`; the date "
        "is the day the weights were published.",
        "resnet50_8xb32_in1k_2022-0825-57307488.pth",
        "resnet50_8xb32_in1k_20220825-57307488.pth",
    ),
    Rule(
        "MMN114",
        "checkpoint-hash",
        "error",
        NAME,
        "`{found}` is not an 8-digit hexadecimal hash",
        "The hash after the date is the first 8 hexadecimal digits of the file's "
        "SHA-256, in lower case.",
        "resnet50_8xb32_in1k_20220825-5730748.pth",
        "resnet50_8xb32_in1k_20220825-57307488.pth",
    ),
    Rule(
        "MMN115",
        "checkpoint-without-date-hash",
        "warning",
        NAME,
        "Checkpoint file name without `_{{date}}-{{hash}}`",
        "Published checkpoints end with the date and the hash: "
        "`{model_name}_{YYYYMMDD}-{hash8}.pth`.",
        "resnet50_8xb32_in1k.pth",
        "resnet50_8xb32_in1k_20220825-57307488.pth",
    ),
    Rule(
        "MMN116",
        "model-name-with-py",
        "warning",
        NAME,
        "A model name does not end with `.py`; use `{expected}` or a path to the config",
        "`get_model` and the inferencers take a model name (`resnet50_8xb32_in1k`) "
        "or a path to a config file; a bare file name is neither.",
        "get_model('resnet50_8xb32_in1k.py')",
        "get_model('resnet50_8xb32_in1k')",
        True,
        safe_fix=False,
    ),
    Rule(
        "MMN117",
        "split-part",
        "hint",
        NAME,
        "The {role} information is split over {count} parts",
        "Each kind of information forms one part. Many upstream names split the "
        "training part (`3rdparty_8xb32`); it is accepted with a hint.",
        "efficientnet-b0_3rdparty_8xb32_in1k",
        "efficientnet-b0_8xb32_in1k",
    ),
    Rule(
        "MMN118",
        "legacy-spelling",
        "hint",
        NAME,
        "`{found}` is an old spelling; the convention writes `{expected}`",
        "Some words have a newer, shorter form (`p4` for `patch4`, `w7` for `window7`).",
        "swin-tiny_patch4-window7_in1k",
        "swin-tiny-p4-w7_in1k",
        True,
    ),
    Rule(
        "MMN119",
        "missing-module",
        "warning",
        NAME,
        "No module (backbone) part in the name",
        "Every name gives its backbone (`resnet50`, `vit-base-p16`) as the module part.",
        "8xb32_in1k.py",
        "resnet50_8xb32_in1k.py",
    ),
)

_RULES += (
    Rule(
        "MMN201",
        "missing-base",
        "error",
        REFERENCE,
        "Base config `{found}` not found ({where})",
        "Every `_base_` entry is a path relative to the config that names it; MMEngine "
        "fails to load a config whose base does not exist.",
        "_base_ = ['../_base_/models/resnet5.py']",
        "_base_ = ['../_base_/models/resnet50.py']",
    ),
    Rule(
        "MMN202",
        "unknown-model",
        "warning",
        REFERENCE,
        "`{found}` is not a model of the MMPretrain zoo{hint}",
        "`get_model`, `init_model`, `inference_model` and the inferencers look the "
        "name up in the model zoo (model-index.yml); an unknown name fails at run "
        "time. Config paths are accepted as they are.",
        "get_model('resnet50_8xb32_in1kk')",
        "get_model('resnet50_8xb32_in1k')",
        True,
        safe_fix=False,
    ),
)

_RULES += (
    Rule(
        "MMN290",
        "unused-suppression",
        "warning",
        REFERENCE,
        "Suppression of {found} matches no finding",
        "A `# mmname: disable=CODE` comment (or `disable-file=CODE`) that hides "
        "nothing is stale: the problem was fixed or the code is wrong. Remove it.",
        "load_from = 'resnet50_8xb32_in1k'  # mmname: disable=MMN102",
        "load_from = 'resnet50_8xb32_in1k'",
        True,
    ),
)

RULES: Dict[str, Rule] = {r.code: r for r in _RULES}


def rule(code: str) -> Rule:
    return RULES[code]


def maybe_rule(code: str) -> Optional[Rule]:
    return RULES.get(code)
