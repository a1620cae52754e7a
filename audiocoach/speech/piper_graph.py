"""A Piper model's graph rewritten for onnxruntime's faster CPU kernels: 1-D convolutions as 2-D.

A VITS voice is mostly 1-D convolutions (its HiFi-GAN decoder). onnxruntime's CPU provider has
its best convolution kernels (the blocked "NCHWc" layout, vectorised for AVX2/AVX-512) for 2-D
convolutions only, so each ``Conv`` and ``ConvTranspose`` over a 3-D weight is rewritten here as
the same operation on a height-1 image: the input gains an axis (``Unsqueeze``), the weight and
the attributes gain a leading 1, the output loses the axis again (``Squeeze``). Same arithmetic,
other kernels: on ``en_US-joe-medium`` it took 18% less CPU per second of speech (0.070 to 0.058
s, the same 50 routine phrases interleaved in one process) and its samples differ from the
original graph's by at most 1.3e-4 of full scale (under half a 16-bit step at the level Piper
speaks), which nobody hears. Cold synthesis of the strength routine on 2 cores went from 19.8 to
27.2 times real time (``scripts/piper_parallel.py --only threads``, with and without
``--original-graph``, the machine quiet).

The rewrite needs the ``onnx`` package (the one piper-tts itself uses to patch models for its
alignments); it is made in memory when a model is loaded (about 0.4 s for 63 MB) and never
written. Nodes it does not recognise (a weight computed in the graph, another domain) are left
as they are, so any model still loads; the engine's identity names the graph it runs
(``GRAPH``), because the samples differ slightly from the original's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

__all__ = ["GRAPH", "ORIGINAL", "available", "conv2d_model"]

#: The rewritten graph's name in an engine identity; bump when the rewrite changes.
GRAPH = "conv2d-1"
#: The identity's name for a model run as it is (no ``onnx`` package).
ORIGINAL = "original"
_CONV_OPS = ("Conv", "ConvTranspose")
#: Unsqueeze and Squeeze take their axes as an input from opset 13, as an attribute before.
_AXES_AS_INPUT = 13


def available() -> bool:
    """Whether the rewrite can be made here (the ``onnx`` package is installed)."""
    return importlib.util.find_spec("onnx") is not None


def _attributes(node: Any, helper: Any) -> dict[str, Any]:
    """The node's attributes for a height-1 image: a kernel, stride and dilation of 1 in front,
    no padding (nor output padding) on the new axis."""
    out: dict[str, Any] = {}
    for attribute in node.attribute:
        value = helper.get_attribute_value(attribute)
        if attribute.name in ("kernel_shape", "strides", "dilations", "output_shape"):
            value = [1, *value]
        elif attribute.name == "output_padding":
            value = [0, *value]
        elif attribute.name == "pads":  # [begin, end] -> [top, begin, bottom, end]
            value = [0, value[0], 0, value[1]]
        out[attribute.name] = value
    return out


def conv2d_model(path: Path) -> bytes:
    """The model at ``path``, serialised, with its 1-D convolutions as 2-D ones.

    Raises ``ImportError`` without the ``onnx`` package, and ``onnx``'s or protobuf's own errors
    (``DecodeError``, ``ValueError``...) for a file that is not an ONNX model.
    """
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    weights = {init.name: init for init in graph.initializer}
    axes = "audiocoach_conv2d_axis"
    made: dict[str, str] = {}  # 3-D weight -> its 4-D copy (a weight may feed several convs)
    nodes: list[Any] = []
    for index, node in enumerate(graph.node):
        weight = weights.get(node.input[1]) if len(node.input) > 1 else None
        if (
            node.op_type not in _CONV_OPS
            or node.domain not in ("", "ai.onnx")
            or weight is None
            or len(weight.dims) != 3
        ):
            nodes.append(node)
            continue
        if weight.name not in made:
            array = numpy_helper.to_array(weight)
            made[weight.name] = f"{weight.name}__2d"
            graph.initializer.append(
                numpy_helper.from_array(array[:, :, np.newaxis, :], made[weight.name])
            )
        tag = f"audiocoach_conv2d_{index}"
        wide, narrow = f"{tag}_in", f"{tag}_out"
        if opset >= _AXES_AS_INPUT:
            nodes.append(helper.make_node("Unsqueeze", [node.input[0], axes], [wide]))
        else:
            nodes.append(helper.make_node("Unsqueeze", [node.input[0]], [wide], axes=[2]))
        inputs = [wide, made[weight.name], *node.input[2:]]
        conv = helper.make_node(
            node.op_type, inputs, [narrow], name=node.name or tag, **_attributes(node, helper)
        )
        nodes.append(conv)
        if opset >= _AXES_AS_INPUT:
            nodes.append(helper.make_node("Squeeze", [narrow, axes], list(node.output)))
        else:
            nodes.append(helper.make_node("Squeeze", [narrow], list(node.output), axes=[2]))
    if not made:
        return model.SerializeToString()
    if opset >= _AXES_AS_INPUT:
        graph.initializer.append(numpy_helper.from_array(np.array([2], dtype=np.int64), axes))
    del graph.node[:]
    graph.node.extend(nodes)
    # the 3-D originals no node reads any more (in subgraphs neither): dropped, so the model is
    # not held twice
    used = _inputs(graph)
    kept = [init for init in graph.initializer if init.name not in made or init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return model.SerializeToString()


def _inputs(graph: Any) -> set[str]:
    """Every name any node of ``graph`` or of its subgraphs reads."""
    names: set[str] = set()
    for node in graph.node:
        names.update(node.input)
        for attribute in node.attribute:
            for sub in [attribute.g] if attribute.HasField("g") else []:
                names |= _inputs(sub)
            for sub in attribute.graphs:
                names |= _inputs(sub)
    return names
