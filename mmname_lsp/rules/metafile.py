"""Rules of a metafile model: its Name against its metadata (epochs, batch
size, training data, `Converted From` vs `3rdparty`: MMN203-MMN206) and its
checkpoint file named after it (MMN208)."""

from __future__ import annotations

import re
from typing import Callable, List, Optional, Tuple

from mmname_lsp.findings import problem
from mmname_lsp.naming import model as m
from mmname_lsp.naming.decoder import Decoder
from mmname_lsp.naming.model import Problem
from mmname_lsp.naming.patterns import EPOCHS, GPUS_X_BATCH

# `Training Data` values -> the word names use for them.
_DATASET_WORDS = {
    "imagenet-1k": "in1k",
    "imagenet1k": "in1k",
    "imagenet": "in1k",
    "imagenet-21k": "in21k",
    "imagenet21k": "in21k",
    "imagenet-22k": "in21k",
    "cifar-10": "cifar10",
    "cifar10": "cifar10",
    "cifar-100": "cifar100",
    "cifar100": "cifar100",
    "cub-200-2011": "cub",
    "cub": "cub",
    "inshop": "inshop",
    "mnist": "mnist",
    "pascal voc 2007": "voc",
    "voc": "voc",
}
_CKPT_TAIL = re.compile(r"_(\d{8})-([0-9a-f]{8})\.pth")


def count_of(value: str) -> Optional[int]:
    """A metafile count (`1,000` allowed); None when it is not a number."""
    try:
        return int(str(value).replace(",", "").strip())
    except ValueError:
        return None


def check_model_metadata(
    model, decoded, published: bool
) -> List[Problem]:
    """Where the parts of ``model``'s name (a yaml_source.MetaModel; ``decoded``
    its decoded Name) contradict its metadata, and whether its checkpoint file
    is named after it.  ``published``: a model of the MMPretrain zoo (nobody can
    rename it: findings are capped at hints)."""
    out: List[Problem] = []
    name = model.name
    if name is None:
        return out
    s0 = name.start
    exact = name.exact

    def span(tok) -> Tuple[int, int]:
        if exact:
            return s0 + tok.start, s0 + tok.end
        return name.start, name.end

    training = decoded.part(m.TRAINING)
    data = decoded.part(m.DATA)
    tokens = [t for p in decoded.parts for t in p.tokens]
    if training is not None:
        for tok in training.tokens:
            gm = GPUS_X_BATCH.fullmatch(tok.text)
            if gm and model.batch_size is not None:
                total = int(gm.group(1)) * int(gm.group(2))
                said = count_of(model.batch_size.value)
                if said is not None and said != total:
                    a, b = span(tok)
                    out.append(problem("MMN204", a, b, capped=published, found=tok.text,
                                       total=total, actual=said))
            em = EPOCHS.fullmatch(tok.text)
            if em and tok.kind == "epochs" and model.epochs is not None:
                said = count_of(model.epochs.value)
                if said is not None and said != int(em.group(1)):
                    a, b = span(tok)
                    out.append(problem("MMN203", a, b, capped=published, replacement=f"{said}e",
                                           found=tok.text, actual=said))
    # Training data vs the dataset word of the data part.
    if data is not None and model.training_data:
        words = [_DATASET_WORDS.get(s.value.strip().lower()) for s in model.training_data]
        for tok in data.tokens:
            if tok.kind != "dataset" or tok.text not in _DATASET_WORDS.values():
                continue
            if all(words) and tok.text not in words:
                a, b = span(tok)
                listed = ", ".join(s.value for s in model.training_data)
                out.append(problem("MMN205", a, b, capped=published, found=tok.text,
                                       actual=listed))
            break
    third = any(t.text == "3rdparty" or t.text.startswith("3rdparty") for t in tokens)
    if model.converted_from is not None and not third:
        out.append(problem("MMN206", name.start, name.end, capped=published,
                               found=name.value, said="says nothing of `3rdparty`",
                               actual="has `Converted From`"))
    elif third and model.converted_from is None and not published:
        tok = next(t for t in tokens if t.text.startswith("3rdparty"))
        a, b = span(tok)
        out.append(problem("MMN206", a, b, capped=published, found=name.value,
                               said="says `3rdparty`", actual="has no `Converted From`"))
    # The checkpoint file: `{name}_{date}-{hash}.pth`.
    w = model.weights
    if w is not None and w.value:
        file = w.value.split("?", 1)[0].rsplit("/", 1)[-1]
        tail = _CKPT_TAIL.search(file)
        stem = file[: tail.start()] if tail else None
        if file.endswith(".pth") and stem != name.value:
            fs = w.start + len(w.value.split("?", 1)[0]) - len(file)
            fe = fs + len(file)
            if not w.exact:
                fs, fe = w.start, w.end
            out.append(problem("MMN208", fs, fe, capped=True, found=file,
                                   expected=f"{name.value}_YYYYMMDD-xxxxxxxx.pth"))
    return out


def metafile_name_issues(model, decoder: Decoder, published: Callable[[str], bool]
                         ) -> List[Problem]:
    """The decoder's problems with a model's Name, and its contradictions with
    the metadata."""
    name = model.name
    if name is None:
        return []
    decoded = decoder.decode(name.value, m.KIND_MODEL)
    out: List[Problem] = []
    if name.exact:
        for p in decoded.problems:
            out.append(Problem(p.code, p.severity, p.message, name.start + p.start,
                               name.start + p.end, p.replacement))
    out.extend(check_model_metadata(model, decoded, published(name.value)))
    return out
