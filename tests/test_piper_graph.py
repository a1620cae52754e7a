"""The 2-D convolution rewrite of Piper models: the same arithmetic, onnxruntime's faster kernels.

Small hand-built models check every attribute the rewrite maps (padding, strides, dilations,
groups, transposed convolutions with output padding, a weight shared by two nodes, both ways of
giving Unsqueeze its axes); the bundled voice checks that the rewritten model says the same.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

from audiocoach.speech import piper_engine, piper_graph
from audiocoach.speech.piper_voices import bundled_models

RNG = np.random.default_rng(8)


def run(model: bytes | str, x: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def conv_model(tmp_path: Path, opset: int) -> Path:
    """x (1, 4, 50) -> Conv(pads, dilation) -> ConvTranspose(stride 2, output_padding, groups 2)
    -> Conv(stride 2, the first conv's weight again, no bias) -> y."""
    w1 = numpy_helper.from_array(RNG.standard_normal((4, 4, 3)).astype(np.float32), "w1")
    b1 = numpy_helper.from_array(RNG.standard_normal(4).astype(np.float32), "b1")
    w2 = numpy_helper.from_array(RNG.standard_normal((4, 2, 4)).astype(np.float32), "w2")
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["h1"], pads=[2, 2], dilations=[2]),
        helper.make_node(
            "ConvTranspose", ["h1", "w2"], ["h2"], strides=[2], group=2, output_padding=[1]
        ),
        helper.make_node("Conv", ["h2", "w1"], ["y"], strides=[2], pads=[1, 1]),
    ]
    graph = helper.make_graph(
        nodes,
        "convs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [w1, b1, w2],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    path = tmp_path / f"convs-{opset}.onnx"
    onnx.save(model, str(path))
    return path


@pytest.mark.parametrize("opset", [11, 15])
def test_the_rewrite_computes_the_same(tmp_path: Path, opset: int) -> None:
    path = conv_model(tmp_path, opset)
    rewritten = piper_graph.conv2d_model(path)
    x = RNG.standard_normal((1, 4, 50)).astype(np.float32)
    expected = run(str(path), x)
    got = run(rewritten, x)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    model = onnx.load_from_string(rewritten)
    ops = [node.op_type for node in model.graph.node]
    assert ops.count("Unsqueeze") == 3 and ops.count("Squeeze") == 3
    # the shared weight became one 4-D copy; the 3-D originals are gone
    assert sorted(i.name for i in model.graph.initializer if i.name.startswith("w")) == [
        "w1__2d",
        "w2__2d",
    ]


def test_a_model_without_1d_convolutions_is_left_as_it_is(tmp_path: Path) -> None:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, None])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15)])
    model.ir_version = 8
    path = tmp_path / "relu.onnx"
    onnx.save(model, str(path))
    assert onnx.load_from_string(piper_graph.conv2d_model(path)) == onnx.load(str(path))


def test_not_an_onnx_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07not a model")
    with pytest.raises(Exception):  # noqa: B017 - onnx raises protobuf's DecodeError or others
        piper_graph.conv2d_model(path)


def test_the_bundled_voice_says_the_same_through_the_rewrite() -> None:
    from piper import PiperConfig, PiperVoice, SynthesisConfig

    (model,) = bundled_models()
    config = PiperConfig.from_dict(__import__("json").loads(model.config_path.read_text()))
    settings = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False)
    said = {}
    for name, source in (
        ("original", str(model.path)),
        ("rewritten", piper_graph.conv2d_model(model.path)),
    ):
        session = onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])
        voice = PiperVoice(config=config, session=session)
        said[name] = np.concatenate(
            [c.audio_float_array for c in voice.synthesize("Rest, thirty seconds.", settings)]
        )
    assert len(said["original"]) == len(said["rewritten"])
    # far below a 16-bit step at Piper's level (peaks about 0.6): inaudible
    assert np.abs(said["original"] - said["rewritten"]).max() < 5e-4


def test_the_identity_names_the_graph(monkeypatch: pytest.MonkeyPatch) -> None:
    (model,) = bundled_models()
    rewritten = piper_engine.PiperEngine(model).identity()
    assert "graph=conv2d-1" in rewritten
    monkeypatch.setattr(piper_engine, "REWRITE_GRAPH", False)
    original = piper_engine.PiperEngine(model).identity()
    assert "graph=original" in original and original != rewritten
    monkeypatch.setattr(piper_engine, "REWRITE_GRAPH", True)
    monkeypatch.setattr(piper_graph, "available", lambda: False)  # no onnx package
    assert piper_engine.PiperEngine(model).identity() == original
