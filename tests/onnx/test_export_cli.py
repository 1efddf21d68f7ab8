"""``minigrad export MODEL -o FILE [--checkpoint FILE] [--input C,H,W]``: the file runs in ONNX Runtime
with the checkpoint's weights; bad command lines exit 2 with one line."""

import numpy as np
import pytest
from onnx_check import TOLERANCE, ort

import minigrad
from minigrad import cli, models


def test_export_a_train_checkpoint_runs_in_onnxruntime(tmp_path, capsys):
    minigrad.manual_seed(1)
    model = models.lenet5(num_classes=3)
    checkpoint = tmp_path / "lenet5.safetensors"
    minigrad.save({"model": model.state_dict(), "epochs": 1}, checkpoint)
    out = tmp_path / "lenet5.onnx"
    assert cli.main(["export", "lenet5", "-o", str(out), "--checkpoint", str(checkpoint)]) == 0
    assert "wrote lenet5" in capsys.readouterr().out
    x = np.random.default_rng(0).standard_normal((5, 1, 32, 32)).astype(np.float32)
    (got,) = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"]).run(None, {"input": x})
    model.eval()
    with minigrad.no_grad():
        expected = model(minigrad.tensor(x)).numpy()
    assert got.shape == (5, 3)
    np.testing.assert_allclose(got, expected, rtol=TOLERANCE, atol=TOLERANCE)


def test_export_with_an_input_shape(tmp_path):
    out = tmp_path / "r.onnx"
    assert cli.main(["export", "resnet18_cifar", "-o", str(out), "--input", "1,16,16"]) == 0
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {"input": np.zeros((2, 1, 16, 16), np.float32)})
    assert got.shape == (2, 10)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["export", "nonet", "-o", "m.onnx"], "unknown model 'nonet'"),
        (["export", "lenet5"], "the following arguments are required: -o/--output"),
        (["export", "lenet5", "-o", "m.onnx", "--input", "1,32"], "expected three positive sizes C,H,W"),
        (["export", "lenet5", "-o", "m.onnx", "--checkpoint", "missing.safetensors"], "no such file"),
        (["export", "lenet5", "-o", "m.onnx", "--checkpoint", "junk.safetensors"], "cannot read junk.safetensors"),
        (["export", "lenet5", "-o", "m.onnx", "--checkpoint", "conv.safetensors"], "does not fit lenet5"),
        (["export", "lenet5", "-o", "m.onnx", "--input", "1,8,8"], "lenet5 cannot take an input of shape 1,8,8"),
        (["export", "lenet5", "-o", "no_folder/m.onnx"], "the folder"),
        (["export", "lenet5", "-o", "."], "is a folder"),
    ],
)
def test_bad_command_lines_exit_2_with_one_line(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "junk.safetensors").write_bytes(b"not a safetensors file")
    minigrad.save(minigrad.nn.Conv2d(1, 2, 3).state_dict(), tmp_path / "conv.safetensors")
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not (tmp_path / "m.onnx").exists()
