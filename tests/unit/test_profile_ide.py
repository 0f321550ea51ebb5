"""Hover and completion per profile (the shipped profiles' data)."""

from __future__ import annotations

from mmname_lsp.analysis.pipeline import call_profile
from mmname_lsp.ide.completion import complete
from mmname_lsp.ide.hover import hover_markdown, profile_note
from mmname_lsp.naming.decoder import default_decoder, profile_decoder
from mmname_lsp.naming.profiles import Choice, get_profile


def labels(prefix, context, decoder, title="MMPretrain"):
    return [c.label for c in complete(prefix, context, decoder=decoder, title=title)[1]]


def test_words_of_the_profile_come_first_most_used_first():
    det = profile_decoder("mmdet3")
    # After the module parts: the batches MMDetection writes, `8xb2` the most.
    assert labels("retinanet_r50_fpn_", None, det)[:2] == ["8xb2", "8xb8"]
    assert labels("resnet50_", None, default_decoder())[0] != "8xb2"
    # Inside the training part: its schedules; then its datasets, not ImageNet.
    assert labels("retinanet_r50_fpn_8xb2-", None, det)[0] == "1x"
    data = labels("retinanet_r50_fpn_8xb2-1x_", None, det)
    assert data[0] == "coco" and "in1k" not in data[:10]
    assert labels("resnet50_8xb32_", None, default_decoder())[0] == "in1k"


def test_zoo_names_of_the_profile_with_their_metrics():
    cands = complete("rtmdet_tiny", "model_api", decoder=profile_decoder("mmdet3"),
                     title="MMDetection 3.x")[1]
    assert cands[0].label == "rtmdet_tiny_8xb32-300e_coco"
    assert "box AP 40.9" in cands[0].documentation
    assert "resnet50_8xb32_in1k" not in labels("resnet50", "model_api",
                                               profile_decoder("mmdet3"))


def test_hover_says_which_profile_read_the_name_and_why():
    det = get_profile("mmdet3")
    choice = Choice(det, "`default_scope = 'mmdet'`")
    assert profile_note(choice) == \
        "_Read as an MMDetection 3.x name (`default_scope = 'mmdet'`)._"
    decoded = profile_decoder("mmdet3").decode("rtmdet_tiny_8xb32-300e_coco", "model")
    md = hover_markdown(decoded, choice=choice)
    assert "(MMDetection 3.x zoo)" in md and "box AP 40.9" in md
    assert "weights:" in md
    quiet = profile_note(Choice(None, "nothing says which OpenMMLab repository it belongs to"))
    assert quiet.startswith("_No OpenMMLab profile: judged only by the rules all profiles share")


def test_a_call_belongs_to_the_profile_that_has_it_when_that_is_clear():
    assert call_profile("DetInferencer", None).profile.name == "mmdet3"
    assert call_profile("init_recognizer", None).profile.name == "mmaction2"
    # init_model is MMPretrain's, MMSegmentation's and MMPose's: MMPretrain's
    # reading (this tool's first) is kept where nothing else says.
    assert call_profile("init_model", None).profile.name == "mmpretrain"
    assert call_profile("init_model", Choice(get_profile("mmseg1"), "")) is None
    assert call_profile("print", None) is None


def test_the_index_records_each_files_profile_and_metafiles_take_their_repositorys(
        tmp_path, monkeypatch):
    import os

    from mmname_lsp.analysis.profile_of import ProfileFinder
    from mmname_lsp.workspace.index import WorkspaceIndex

    monkeypatch.delenv("MMNAME_PROFILE", raising=False)
    files = {
        "det/setup.py": "setup(name='mmdet')\n",
        "det/mmdet/version.py": "__version__ = '3.3.0'\n",
        "det/configs/rtmdet/rtmdet_tiny_8xb32-300e_coco.py": "model = dict()\n",
        # A published MMDetection model's name, its epochs contradicted: a hint
        # only (nobody can rename it), as MMPretrain's own are.
        "det/configs/rtmdet/metafile.yml":
            "Models:\n  - Name: rtmdet_tiny_8xb32-300e_coco\n"
            "    Config: configs/rtmdet/rtmdet_tiny_8xb32-300e_coco.py\n"
            "    Metadata:\n      Epochs: 100\n",
        "cls/configs/_base_/default_runtime.py": "default_scope = 'mmpretrain'\n",
        "cls/configs/r/resnet50_8xb32_in1k.py": "_base_ = ['../_base_/default_runtime.py']\n",
        "loose/configs/resnet50_8xb32-cosl_in1k.py": "model = dict()\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    ix = WorkspaceIndex("utf-16", finder=ProfileFinder(installed={}))
    ix.index_root(str(tmp_path))

    def record(rel):
        return ix.files[os.path.normpath(str(tmp_path / rel))]

    assert record("det/configs/rtmdet/rtmdet_tiny_8xb32-300e_coco.py").profile == "mmdet3"
    meta = record("det/configs/rtmdet/metafile.yml")
    assert meta.profile == "mmdet3"
    assert [(h.code, h.severity) for h in meta.hits] == [("MMN203", "hint")]
    assert record("cls/configs/r/resnet50_8xb32_in1k.py").profile == "mmpretrain"
    loose = record("loose/configs/resnet50_8xb32-cosl_in1k.py")
    assert loose.profile == "shared" and loose.hits == ()
    assert ix.profiles() == {"mmdet3": 3, "mmpretrain": 2, "shared": 1}  # .py files
    models, _, _ = ix.zoo_models("mmdet3")
    assert list(models) == ["rtmdet_tiny_8xb32-300e_coco"]
    assert ix.zoo_models("mmpretrain")[0] == {}


def test_a_repository_that_changes_what_it_is_places_its_files_again(tmp_path, monkeypatch):
    import os

    from mmname_lsp.analysis.profile_of import ProfileFinder
    from mmname_lsp.workspace.index import WorkspaceIndex

    monkeypatch.delenv("MMNAME_PROFILE", raising=False)
    setup = tmp_path / "repo" / "setup.py"
    setup.parent.mkdir()
    setup.write_text("setup(name='mmdet')\n")
    cfg = tmp_path / "repo" / "configs" / "a" / "faster-rcnn_r50_fpn_1x_coco.py"
    cfg.parent.mkdir(parents=True)
    cfg.write_text("model = dict()\n")
    scoped = cfg.parent / "resnet50_8xb32_in1k.py"
    scoped.write_text("default_scope = 'mmpretrain'\n")
    finder = ProfileFinder(installed={})
    ix = WorkspaceIndex(finder=finder)
    ix.index_root(str(tmp_path))
    record = ix.files[os.path.normpath(str(cfg))]
    assert (record.profile, record.hits) == ("mmdet3", ())
    setup.write_text("setup(name='mmpretrain')\n")
    finder.forget(str(setup))  # as the server does on the file event
    again = ix.reprofile(str(setup))
    # The file its own default_scope placed is not read again.
    assert os.path.normpath(str(cfg)) in again
    assert os.path.normpath(str(scoped)) not in again
    record = ix.files[os.path.normpath(str(cfg))]
    assert record.profile == "mmpretrain" and "MMN117" in [h.code for h in record.hits]
