"""Static MMEngine config reader on small fixtures (tests/fixtures/configs).

Files that must be broken or change are written into pytest's ``tmp_path``.
Expected lines are found by searching the fixture text, so editing a fixture
does not silently shift them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mmname_lsp.configs import (
    ConfigCache,
    ConfigIssue,
    Location,
    ResolvedConfig,
    Unresolved,
    Value,
    find_all,
    format_key_path,
    resolve_config,
)
from mmname_lsp.configs.source import parse_recovering

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "configs"
OLD = FIXTURES / "old"
BASE = FIXTURES / "_base_"
NEW = FIXTURES / "new"


def where(path: Path, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """0-based (line, code-point column) of the n-th occurrence of ``needle``."""
    seen = 0
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        col = line.find(needle)
        while col != -1:
            if seen == occurrence:
                return i, col
            seen += 1
            col = line.find(needle, col + 1)
    raise AssertionError(f"{needle!r} not in {path}")


def assert_at(
    value: Value | None, path: Path, needle: str, sub: str = "", occurrence: int = 0
) -> None:
    """``value`` was set in ``path`` at ``sub`` inside the line holding ``needle``."""
    assert value is not None
    line, col = where(path, needle, occurrence)
    col += needle.index(sub) if sub else 0
    assert (value.file, value.line, value.col) == (str(path), line, col)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def child() -> ResolvedConfig:
    return resolve_config(OLD / "child.py")


# -- old style: inheritance, merging, locations ----------------------------------


def test_two_level_inheritance_keeps_each_value_where_it_was_set(child: ResolvedConfig) -> None:
    inherit = BASE / "models" / "resnet_inherit.py"
    resnet = BASE / "models" / "resnet_base.py"
    depth = child.get("model.backbone.depth")
    assert depth is not None and depth.value == 101
    assert_at(depth, inherit, "depth=101", "101")
    stages = child.get("model.backbone.num_stages")
    assert stages is not None and stages.value == 4
    assert_at(stages, resnet, "num_stages=4", "4")
    assert_at(child.get("model.type"), resnet, "'ImageClassifier'")
    assert str(resnet) in child.files and str(inherit) in child.files
    assert child.files[0] == str(OLD / "child.py")
    assert child.bases == [
        str(inherit),
        str(BASE / "datasets" / "toy_bs32.py"),
        str(BASE / "schedules" / "sgd_100e.py"),
        str(BASE / "runtime.py"),
    ]
    assert child.issues == [] and child.skipped == []
    assert child.style == "old"


def test_child_dict_merges_key_by_key_into_the_base(child: ResolvedConfig) -> None:
    toy = BASE / "datasets" / "toy_bs32.py"
    bs = child.get("train_dataloader.batch_size")
    assert bs is not None and bs.value == 64
    assert_at(bs, OLD / "child.py", "dict(batch_size=64)", "64")
    workers = child.get("train_dataloader.num_workers")
    assert workers is not None and workers.value == 4
    assert_at(workers, toy, "num_workers=4", "4")
    # the merged dict itself was last set by the child
    assert_at(child.get("train_dataloader"), OLD / "child.py", "dict(batch_size=64)")
    assert child.get(("train_dataloader", "dataset", "type")).value == "ToyDataset"


def test_delete_replaces_instead_of_merging(child: ResolvedConfig) -> None:
    optimizer = child.get("optim_wrapper.optimizer")
    assert optimizer is not None
    assert optimizer.value == {"type": "AdamW", "lr": 0.001}
    assert_at(optimizer, OLD / "child.py", "dict(_delete_=True")
    # MMEngine pops `_delete_` only where the base had the key
    assert child.get("extra").value == {"_delete_": True, "a": 1}


def test_base_substitution_bare_and_quoted(child: ResolvedConfig) -> None:
    toy = BASE / "datasets" / "toy_bs32.py"
    policies = child.get("rand_aug.policies")
    assert policies is not None
    assert [p["type"] for p in policies.value] == ["AutoContrast", "Equalize"]
    assert_at(policies, OLD / "child.py", "{{_base_.policies}}")
    assert policies.origin is not None and policies.origin.file == str(toy)
    assert policies.origin.line == where(toy, "policies = [")[0]
    depth = child.get("depth_copy")
    assert depth is not None and depth.value == 101
    assert_at(depth, OLD / "child.py", "'{{ _base_.model.backbone.depth }}'")


def test_base_is_a_python_name_while_the_file_runs(child: ResolvedConfig) -> None:
    assert child.get("backbone_copy").value["depth"] == 101
    assert child.get("double_bs").value == 64
    max_epochs = child.get("train_cfg.max_epochs")
    assert max_epochs is not None and max_epochs.value == 300
    assert_at(max_epochs, OLD / "child.py", "max_epochs = 300", "300")
    assert child.get("train_cfg.val_interval").value == 1


def test_old_style_base_variables_are_not_python_names(child: ResolvedConfig) -> None:
    value = child.get("where_is_it")
    assert value is not None and isinstance(value.value, Unresolved)
    assert "_base_.dataset_type" in value.value.reason
    # ...but the base's own variables are in the merged config
    assert child.get("dataset_type").value == "ToyDataset"


def test_variables_resolve_and_remember_both_spans(child: ResolvedConfig) -> None:
    toy = BASE / "datasets" / "toy_bs32.py"
    pipeline = child.get("train_dataloader.dataset.pipeline")
    assert pipeline is not None
    assert [p["type"] for p in pipeline.value] == [
        "LoadImageFromFile",
        "RandomResizedCrop",
        "PackInputs",
    ]
    # set by `pipeline=train_pipeline`; written as the `[...]` list
    assert_at(pipeline, toy, "pipeline=train_pipeline", "train_pipeline")
    start = where(toy, "train_pipeline = [")[0]
    end = next(
        i for i, line in enumerate(toy.read_text().splitlines()) if i > start and line == "]"
    )
    assert pipeline.origin == Location(str(toy), start, len("train_pipeline = "), end, 1)
    # in the child: its own variables, and a dict merged onto the base one
    assert child.get("lr").value == pytest.approx(0.2)
    custom = child.get("val_dataloader.dataset.pipeline")
    assert [p["type"] for p in custom.value] == ["LoadImageFromFile", "PackInputs"]
    assert child.get("val_dataloader.dataset.data_root").value == "data/toy"
    # `test_dataloader = val_dataloader` in the base: the base's value
    test_pipe = child.get("test_dataloader.dataset.pipeline.1.type")
    assert test_pipe is not None and test_pipe.value == "ResizeEdge"
    assert_at(child.get("test_dataloader"), toy, "= val_dataloader", "val_dataloader")


def test_base_as_tuple_and_as_single_string() -> None:
    tup = resolve_config(OLD / "tuple_base.py")
    assert tup.get("train_cfg").value == {"by_epoch": True, "max_epochs": 12, "val_interval": 1}
    assert tup.get("default_scope").value == "mmpretrain"
    single = resolve_config(OLD / "string_base.py")
    assert single.get("log_level").value == "WARNING"
    assert_at(single.get("log_level"), BASE / "runtime_quiet.py", "'WARNING'")
    assert single.bases == [str(BASE / "runtime_quiet.py")]
    assert str(BASE / "runtime.py") in single.files


def test_later_base_overrides_earlier() -> None:
    resolved = resolve_config(OLD / "diamond.py")
    # runtime_quiet sets WARNING, runtime.py (listed later) sets INFO again
    assert resolved.get("log_level").value == "INFO"
    assert any("later base wins" in reason for _, reason in resolved.skipped)


def test_dict_over_scalar_base_is_noted_not_raised() -> None:
    resolved = resolve_config(OLD / "dict_over_scalar.py")
    assert resolved.get("plain").value == {"a": 1}
    assert any("not in its base" in reason for _, reason in resolved.skipped)


# -- expressions -----------------------------------------------------------------


def test_simple_expressions() -> None:
    r = resolve_config(OLD / "expressions.py")
    assert r.get("base_lr").value == 2048.0
    assert r.get("neg").value == -3
    assert r.get("ratio").value == -512.0
    assert r.get("name").value == "resnet50"
    assert r.get("bgr_mean").value == [103.53, 116.28, 123.675]
    assert r.get("pad_val").value == [104, 116, 124]
    assert r.get("tag").value == "lr2048_bs256"
    assert r.get("norm_sync").value == {"type": "SyncBN", "requires_grad": True}
    assert r.get("norm_merged").value == {"type": "BN", "requires_grad": True, "eps": 1e-5}
    assert r.get("norm_copy").value == r.get("norm").value == r.get("norm_deep").value
    assert r.get("choice").value == "a"
    assert r.issues == []


def test_unresolvable_expressions_become_markers() -> None:
    r = resolve_config(OLD / "expressions.py")
    call = r.get("from_call")
    assert call is not None and isinstance(call.value, Unresolved)
    assert "some_function" in call.value.reason
    assert_at(call, OLD / "expressions.py", "some_function(1, 2)")
    assert isinstance(r.get("klass.type").value, Unresolved)
    big = r.get("big")
    assert isinstance(big.value, Unresolved) and "too large" in big.value.reason
    # the plain view keeps the markers too
    assert isinstance(r.to_plain()["from_call"], Unresolved)


def test_dotted_keys_that_contain_dots() -> None:
    r = resolve_config(OLD / "expressions.py")
    assert r.get("custom_keys.backbone.cls_token.decay_mult").value == 0.0
    assert r.get(("custom_keys", "backbone.cls_token", "decay_mult")).value == 0.0
    assert r.get("custom_keys.head.lr_mult").value == 10
    assert r.get("custom_keys.nope") is None
    assert "custom_keys.head" in r and "nothing.here" not in r
    assert r.get("") is None


def test_nothing_is_executed(tmp_path: Path) -> None:
    text = (OLD / "never_run.py").read_text(encoding="utf-8")
    target = write(tmp_path / "never_run.py", text)
    r = resolve_config(target)
    assert not (tmp_path / "should_not_exist").exists()
    assert not (tmp_path / "should_not_exist_either").exists()
    assert not Path("should_not_exist").exists()
    assert isinstance(r.get("marker").value, Unresolved)
    assert "os.system" in r.get("marker").value.reason
    assert isinstance(r.get("opened").value, Unresolved)
    assert r.get("safe").value == 1
    assert "os" not in r.keys()  # modules are not config values


def test_code_point_columns_with_non_ascii_text() -> None:
    path = OLD / "unicode.py"
    r = resolve_config(path)
    assert_at(r.get("depth"), path, "depth = 18", "18")
    assert_at(r.get("width"), path, "width = 64", "64")
    width = r.get("width")
    assert width.end_col - width.col == 2


def test_pathological_values_stay_bounded(tmp_path: Path) -> None:
    lines = ["a0 = [1]"] + [f"a{i} = [a{i - 1}, a{i - 1}]" for i in range(1, 60)]
    lines += [
        "grow = [1]",
        "for _ in range(100):",
        "    grow = grow + grow",
        "cyc = dict()",
        "cyc['self'] = cyc",
        "huge = 10 ** 10 ** 10",
        "deep = " + "-" * 5000 + "1",
    ]
    r = resolve_config(write(tmp_path / "evil.py", "\n".join(lines) + "\n"))
    assert r.get("a59.0.1.0.0").value is not None
    assert isinstance(r.get("huge").value, Unresolved)
    assert isinstance(r.get("cyc.self").value["self"], Unresolved)
    assert len(list(r.walk())) <= 50_000
    plain = r.to_plain()
    assert "a59" in plain


# -- new style --------------------------------------------------------------------


def test_new_style_imports_and_in_file_edits() -> None:
    path = NEW / "resnet" / "resnet18_child.py"
    r = resolve_config(path)
    assert r.style == "new" and r.issues == [] and r.skipped == []
    model_base = NEW / "_base_" / "models" / "resnet18.py"
    mtype = r.get("model.type")
    assert mtype.value == "ImageClassifier" and mtype.imported_from == "mmpretrain.models"
    assert_at(mtype, model_base, "type=ImageClassifier", "ImageClassifier")
    # update() is recursive on ConfigDicts: the rest of the backbone stays
    backbone = r.get("model.backbone")
    assert backbone.value == {
        "type": "ResNetV1d",
        "depth": 50,
        "num_stages": 4,
        "out_indices": (3,),
    }
    assert_at(r.get("model.backbone.depth"), path, "depth=50", "50")
    assert_at(r.get("model.backbone.num_stages"), model_base, "num_stages=4", "4")
    assert r.get("train_dataloader.batch_size").value == 64
    assert_at(r.get("train_dataloader.batch_size"), path, "batch_size = 64", "64")
    assert r.get("model.head.num_classes").value == 10
    assert r.get("optim_wrapper.optimizer.lr").value == 0.01
    assert r.get("optim_wrapper.optimizer.type").value == "SGD"
    assert r.get("schedule.max_epochs").value == 100  # `import ... as ...`
    assert "param_scheduler" not in r.keys()  # not imported by name
    # `type='RandomFlip'` stays a string, `type=ImageNet` is a class reference
    toy = NEW / "_base_" / "datasets" / "toy.py"
    flip = r.get("train_dataloader.dataset.pipeline.1.type")
    assert flip.value == "RandomFlip" and flip.imported_from is None
    dataset = r.get("train_dataloader.dataset.type")
    assert dataset.value == "ImageNet" and dataset.imported_from == "mmpretrain.datasets"
    assert_at(dataset, toy, "type=dataset_type,", "dataset_type")
    # MMEngine copies each imported name: appending to train_pipeline does not
    # reach the pipeline inside train_dataloader
    assert len(r.get("train_pipeline").value) == 4
    assert len(r.get("train_dataloader.dataset.pipeline").value) == 3
    # imported class names are not config keys
    assert "ImageNet" not in r.keys() and "ResNetV1d" not in r.keys()
    assert r.bases == [str(toy), str(model_base), str(NEW / "_base_" / "schedules" / "sgd.py")]


def test_new_style_merge_honours_delete() -> None:
    r = resolve_config(NEW / "resnet" / "merge_child.py")
    assert r.get("model.head").value == {"type": "StackedLinearClsHead", "num_classes": 10}
    assert r.get("model.backbone.depth").value == 18


def test_new_style_missing_and_external_modules() -> None:
    path = NEW / "resnet" / "missing_module.py"
    r = resolve_config(path)
    [issue] = r.issues
    line, col = where(path, "from .._base_.nothing_here")
    assert (issue.kind, issue.file, issue.line, issue.col) == ("missing", str(path), line, col)
    assert issue.target == str(NEW / "_base_" / "nothing_here.py")
    assert ("mmdet.configs.retinanet", "config module from another package is not read") in (
        r.skipped
    )
    assert r.get("train_cfg.max_epochs").value == 12


def test_new_style_absolute_config_module_import() -> None:
    r = resolve_config(NEW / "resnet" / "absolute_import.py")
    assert r.issues == [] and r.skipped == []
    assert r.get("train_cfg.max_epochs").value == 5
    assert r.get("optim_wrapper.optimizer.type").value == "SGD"
    assert r.bases == [str(NEW / "_base_" / "schedules" / "sgd.py")]


# -- problems: cycles, missing, scoped, broken, unreadable ------------------------


def test_cycle_is_reported_at_the_base_entry_and_does_not_hang() -> None:
    r = resolve_config(OLD / "cycle_a.py")
    assert r.to_plain() == {"a_value": 1, "b_value": 2}
    [issue] = r.issues
    line, col = where(OLD / "cycle_b.py", "'./cycle_a.py'")
    assert issue == ConfigIssue(
        "cycle",
        issue.message,
        str(OLD / "cycle_b.py"),
        line,
        col,
        line,
        col + 14,
        str(OLD / "cycle_a.py"),
    )
    assert "cycle_a.py -> cycle_b.py -> cycle_a.py" in issue.message
    # the other way round, with a shared cache: no stale result leaks
    cache = ConfigCache()
    resolve_config(OLD / "cycle_a.py", cache=cache)
    rb = resolve_config(OLD / "cycle_b.py", cache=cache)
    assert rb.issues[0].file == str(OLD / "cycle_a.py")
    assert rb.to_plain() == {"a_value": 1, "b_value": 2}


def test_missing_base_is_reported_and_the_rest_still_merges() -> None:
    path = OLD / "missing_base.py"
    r = resolve_config(path)
    [issue] = r.issues
    line, col = where(path, "'./does_not_exist.py'")
    assert (issue.kind, issue.file, issue.line, issue.col) == ("missing", str(path), line, col)
    assert issue.target == str(OLD / "does_not_exist.py")
    assert r.get("default_scope").value == "mmpretrain"
    assert r.get("log_level").value == "DEBUG"
    assert r.bases == [str(BASE / "runtime.py")]


def test_scoped_base_is_skipped_quietly() -> None:
    r = resolve_config(OLD / "scoped.py")
    assert r.issues == []
    assert r.skipped == [
        (
            "mmdet::mask_rcnn/mask-rcnn_r50_fpn_1x_coco.py",
            "scoped base from package 'mmdet' is not read",
        )
    ]
    assert r.get("model.backbone.frozen_stages").value == -1
    assert r.get("log_level").value == "INFO"


def test_missing_root_file(tmp_path: Path) -> None:
    r = resolve_config(tmp_path / "nope.py")
    assert [i.kind for i in r.issues] == ["missing"]
    assert r.to_plain() == {} and r.files == []


def test_syntax_broken_buffer_keeps_what_can_be_read() -> None:
    broken = (OLD / "broken_child.txt").read_text(encoding="utf-8")
    path = OLD / "child.py"  # any path in the tree: the buffer replaces its text
    r = resolve_config(path, text=broken)
    assert r.get("before").value == {"a": 1}
    assert r.get("after").value == {"b": 2}
    assert r.get("also_after").value == 3
    assert r.get("default_scope").value == "mmpretrain"  # its base was read
    assert r.get("model") is None
    [issue] = r.issues
    lines = broken.splitlines()
    bad = next(i for i, line in enumerate(lines) if "depth=)" in line)
    assert (issue.kind, issue.file, issue.line) == ("syntax", str(path), bad)
    # the exact column varies across Python versions: on `depth=` or its `)`
    assert lines[bad].index("depth") <= issue.col <= lines[bad].index(")")
    assert r.get("after").line == next(i for i, s in enumerate(lines) if s.startswith("after"))


def test_recovery_joins_chunks_that_need_more_lines() -> None:
    text = "\n".join(
        [
            "x = dict(",
            "a=1,",  # a col-0 continuation line
            ")",
            "y = [1, 2",  # never closed
            "z = 3",
            '"""',
            "col-0 docstring text",
            '"""',
            "w = 4",
        ]
    )
    body, issues = parse_recovering(text, "t.py")
    names = [s.targets[0].id for s in body if hasattr(s, "targets")]
    assert names == ["x", "z", "w"]
    assert len(issues) == 1 and issues[0].line == 3
    assert body[-1].lineno == 9  # positions are file lines


def test_broken_base_on_disk(tmp_path: Path) -> None:
    write(tmp_path / "base.py", "good = 1\nbad = (\nalso_good = 2\n")
    child_path = write(tmp_path / "child.py", "_base_ = './base.py'\nmine = 3\n")
    r = resolve_config(child_path)
    assert r.get("good").value == 1 and r.get("also_good").value == 2 and r.get("mine").value == 3
    [issue] = r.issues
    assert (issue.kind, issue.file, issue.line) == ("syntax", str(tmp_path / "base.py"), 1)


def test_directory_as_base(tmp_path: Path) -> None:
    (tmp_path / "folder.py").mkdir()
    child_path = write(tmp_path / "child.py", "_base_ = ['./folder.py']\nmine = 1\n")
    r = resolve_config(child_path)
    [issue] = r.issues
    assert issue.kind == "not-a-file" and issue.target == str(tmp_path / "folder.py")
    assert (issue.file, issue.line, issue.col) == (str(child_path), 0, len("_base_ = ["))
    assert r.get("mine").value == 1
    # and as the root
    assert [i.kind for i in resolve_config(tmp_path / "folder.py").issues] == ["not-a-file"]


def test_invalid_utf8_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes(b"ok = 1\nname = '\xe9t\xe9'\nafter = 2\n")
    r = resolve_config(path)
    [issue] = r.issues
    assert (issue.kind, issue.file, issue.line, issue.col) == ("unreadable", str(path), 1, 8)
    assert r.get("ok").value == 1 and r.get("after").value == 2
    assert r.get("name").value == "\ufffdt\ufffd"


def test_symlink_loop_is_unreadable(tmp_path: Path) -> None:
    try:
        os.symlink(tmp_path / "b.py", tmp_path / "a.py")
        os.symlink(tmp_path / "a.py", tmp_path / "b.py")
    except (OSError, NotImplementedError) as exc:  # pragma: no cover - platform
        pytest.skip(f"symlinks unavailable: {exc}")
    child_path = write(tmp_path / "child.py", "_base_ = './a.py'\n")
    [issue] = resolve_config(child_path).issues
    assert issue.kind == "unreadable" and issue.target == str(tmp_path / "a.py")


def test_fifo_and_odd_paths_do_not_block_or_raise(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):  # pragma: no cover - platform
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "pipe.py")
    child_path = write(tmp_path / "child.py", "_base_ = ['./pipe.py', './nul\\x00.py']\nx = 1\n")
    r = resolve_config(child_path)
    assert [i.kind for i in r.issues] == ["not-a-file", "unreadable"]
    assert r.get("x").value == 1
    assert [i.kind for i in resolve_config(tmp_path / "pipe.py").issues] == ["not-a-file"]


# -- editor overlays and the cache ----------------------------------------------------


def test_overlay_text_overrides_disk_for_a_base() -> None:
    toy = BASE / "datasets" / "toy_bs32.py"
    original = toy.read_text(encoding="utf-8")
    edited = original.replace("batch_size=32", "batch_size=16").replace("'data/toy'", "'data/x'")
    assert edited != original
    cache = ConfigCache()
    before = resolve_config(OLD / "child.py", cache=cache)
    after = resolve_config(OLD / "child.py", overlay={str(toy): edited}, cache=cache)
    assert before.get("val_dataloader.batch_size").value == 32
    assert after.get("val_dataloader.batch_size").value == 16
    assert after.get("val_dataloader.batch_size").file == str(toy)  # still the base's path
    # the child's own override still wins over the edited base
    assert after.get("train_dataloader.batch_size").value == 64
    assert after.get("train_dataloader.dataset.data_root").value == "data/x"
    assert (
        resolve_config(OLD / "child.py", cache=cache).get("val_dataloader.batch_size").value == 32
    )


def test_text_argument_overrides_the_file_itself() -> None:
    r = resolve_config(OLD / "string_base.py", text="_base_ = '../_base_/runtime.py'\nx = 7\n")
    assert r.get("x").value == 7 and r.get("log_level").value == "INFO"


def test_text_for_a_file_not_saved_yet() -> None:
    path = OLD / "not_saved_yet.py"
    assert not path.exists()
    r = resolve_config(path, text="_base_ = ['../_base_/runtime.py']\nlog_level = 'ERROR'\n")
    assert r.issues == [] and r.files[0] == str(path)
    assert r.get("log_level").value == "ERROR" and r.get("default_scope").value == "mmpretrain"


def test_same_base_is_parsed_once_per_resolve() -> None:
    cache = ConfigCache()
    # runtime.py is reached twice: directly and through runtime_quiet.py
    r = resolve_config(OLD / "diamond.py", cache=cache)
    assert len(r.files) == 3
    assert cache.stats.parse_misses == 3
    assert cache.stats.eval_hits == 1  # the second visit of runtime.py
    resolve_config(OLD / "diamond.py", cache=cache)
    assert cache.stats.parse_misses == 3 and cache.stats.eval_hits == 2


def test_cache_sees_changes_on_disk_and_explicit_invalidation(tmp_path: Path) -> None:
    cache = ConfigCache()
    base = write(tmp_path / "base.py", "value = 1\n")
    child_path = write(tmp_path / "child.py", "_base_ = './base.py'\n")
    assert resolve_config(child_path, cache=cache).get("value").value == 1
    write(base, "value = 22\n")  # size changes
    assert resolve_config(child_path, cache=cache).get("value").value == 22
    # same size, modification time set back: the change time still tells
    st = base.stat()
    write(base, "value = 33\n")
    os.utime(base, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert resolve_config(child_path, cache=cache).get("value").value == 33
    assert cache.dependents(base) == [str(child_path)]
    # invalidate() forgets the file and its includers even when stat shows nothing
    hits = cache.stats.eval_hits
    assert resolve_config(child_path, cache=cache).get("value").value == 33
    assert cache.stats.eval_hits == hits + 1
    cache.invalidate(base)
    assert cache.dependents(base) == []
    assert resolve_config(child_path, cache=cache).get("value").value == 33
    assert cache.stats.eval_hits == hits + 1


def test_cache_follows_overlay_changes() -> None:
    cache = ConfigCache()
    path = OLD / "string_base.py"
    one = resolve_config(path, text="a = 1\n", cache=cache)
    hits = cache.stats.eval_hits
    again = resolve_config(path, text="a = 1\n", cache=cache)
    assert cache.stats.eval_hits == hits + 1
    two = resolve_config(path, text="a = 2\n", cache=cache)
    assert (one.get("a").value, again.get("a").value, two.get("a").value) == (1, 1, 2)
    disk = resolve_config(path, cache=cache)
    assert disk.get("a") is None and disk.get("log_level").value == "WARNING"


def test_missing_base_created_later(tmp_path: Path) -> None:
    cache = ConfigCache()
    child_path = write(tmp_path / "child.py", "_base_ = './later.py'\n")
    assert [i.kind for i in resolve_config(child_path, cache=cache).issues] == ["missing"]
    write(tmp_path / "later.py", "here = True\n")
    r = resolve_config(child_path, cache=cache)
    assert r.issues == [] and r.get("here").value is True


def test_cache_is_bounded() -> None:
    cache = ConfigCache(max_files=2)
    for name in ("tuple_base.py", "string_base.py", "diamond.py", "missing_base.py"):
        resolve_config(OLD / name, cache=cache)
    assert len(cache) <= 2


# -- walking ---------------------------------------------------------------------------


def test_find_all_type_dicts_in_a_pipeline(child: ResolvedConfig) -> None:
    toy = BASE / "datasets" / "toy_bs32.py"
    found = find_all(child, lambda v: isinstance(v.value, dict) and "type" in v.value)
    by_path = {format_key_path(p): v for p, v in found}
    step = by_path["train_dataloader.dataset.pipeline.1"]
    assert step.value == {"type": "RandomResizedCrop", "scale": 224}
    assert_at(step, toy, "dict(type='RandomResizedCrop'")
    assert ("train_dataloader", "dataset", "pipeline", 1) in [p for p, _ in found]
    assert "model.backbone" in by_path and "optim_wrapper.optimizer" in by_path


def test_items_and_to_plain(child: ResolvedConfig) -> None:
    plain = child.to_plain()
    assert list(plain) == child.keys()
    top = dict(child.items())
    assert top["lr"].value == plain["lr"]
    assert plain["model"]["backbone"]["depth"] == 101
