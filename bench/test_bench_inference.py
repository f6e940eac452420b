"""Inference of the shipped model: onnxruntime against PyTorch eager (DESIGN §7).

The torch side is the *same network*, not a retrained one: ``build_net`` and
``build_ensemble`` (``ghosting.model.network``) rebuild the ensemble from the
shipped card's training config, and the ONNX initializers, which the exporter names
after the torch ``state_dict`` keys (``members.0.body.0.weight`` ...), are loaded
into it. Before anything is timed both engines are checked to give the same numbers
(max abs diff < 1e-4) on the very inputs that are timed.

Two groups, both engines single-threaded (``GhostModel.load()`` runs onnxruntime with
one intra-op thread; torch gets ``torch.set_num_threads(1)``):

- ``inference-network``: one call of the raw network on a batch of 4,096 tiles
  (onnxruntime ``session.run`` against ``net(...)`` under ``torch.inference_mode``);
- ``inference-predict-plays``: ``model.predict_plays(tracking, plays, what_if=True)``
  on synthetic plays, the torch model standing in for the ONNX session behind the
  very same ``GhostModel`` (windows, roll-out and output table are shared code).

Skipped when torch or onnx (extra ``train``) is absent. Run::

    python -m pytest bench/test_bench_inference.py --benchmark-enable -q
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import ghosting
from ghosting.model.network import build_ensemble, build_net
from ghosting.model.train import TrainConfig

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

BATCH = 4096
N_PLAYS = 40
TOLERANCE = 1e-4
GROUP_NETWORK = "inference-network"
GROUP_PLAYS = "inference-predict-plays"


# -- the torch twin of the shipped ONNX graph ------------------------------------------
def torch_twin(model: ghosting.GhostModel) -> Any:
    """The shipped ensemble as a torch module, weights read from the ONNX initializers."""
    from onnx import numpy_helper

    card = model.card
    proto = onnx.load(str(Path(model.directory) / card["onnx_file"]))
    weights = {i.name: numpy_helper.to_array(i) for i in proto.graph.initializer}
    cfg = TrainConfig(**card["training"]["config"])
    n_in = len(card["features"]["columns"])
    # the exporter keeps one copy of tensors that are equal in every member
    mean, std = weights["members.0.mean"], weights["members.0.std"]
    members = [build_net(torch, n_in, cfg, mean, std) for _ in range(cfg.ensemble)]
    net = build_ensemble(torch, members, cfg.horizon)
    state = net.state_dict()
    learned = [k for k in state if k.rsplit(".", 1)[-1] in ("weight", "bias")]
    missing = [k for k in learned if k not in weights]
    if missing:
        pytest.skip(f"ONNX initializers do not name the torch parameters: {missing[:3]}")
    for key in state:
        if key in weights:
            state[key] = torch.from_numpy(weights[key].copy())
    net.load_state_dict(state)
    net.eval()
    return net


class TorchSession:
    """Duck-typed onnxruntime session (``get_inputs``, ``run``) backed by torch eager."""

    def __init__(self, net: Any, proto_inputs: list[Any]) -> None:
        self._net = net
        self._inputs = [
            SimpleNamespace(
                name=i.name,
                shape=[d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim],
            )
            for i in proto_inputs
        ]

    def get_inputs(self) -> list[Any]:
        return self._inputs

    def run(self, _names: Any, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        with torch.inference_mode():
            pos, sigma = self._net(
                torch.from_numpy(feeds["features"]), torch.from_numpy(feeds["velocity"])
            )
        return [pos.numpy(), sigma.numpy()]


# -- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def single_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def model() -> ghosting.GhostModel:
    return ghosting.GhostModel.load()


@pytest.fixture(scope="module")
def net(model: ghosting.GhostModel, single_thread: None) -> Any:
    return torch_twin(model)


@pytest.fixture(scope="module")
def torch_model(model: ghosting.GhostModel, net: Any) -> ghosting.GhostModel:
    proto = onnx.load(str(Path(model.directory) / model.card["onnx_file"]))
    session = TorchSession(net, list(proto.graph.input))
    return ghosting.GhostModel(session, model.card, Path(model.directory))


@pytest.fixture(scope="module")
def batch(net: Any) -> dict[str, np.ndarray]:
    """BATCH tiles drawn around the training distribution (the network's own mean/std)."""
    rng = np.random.default_rng(11)
    member = net.members[0]
    mean, std = member.mean.numpy(), member.std.numpy()
    features = (mean + std * rng.standard_normal((BATCH, mean.size))).astype(np.float32)
    velocity = rng.normal(0.0, 3.0, (BATCH, 2)).astype(np.float32)
    return {"features": features, "velocity": velocity}


@pytest.fixture(scope="module")
def plays_input() -> tuple[pa.Table, pa.Table]:
    tracking, _ = ghosting.clean(ghosting.synth.generate_plays(N_PLAYS, seed=3))
    plays = ghosting.pass_plays(tracking)
    return tracking, plays.filter(plays["analysable"])


@pytest.fixture(scope="module")
def summary(request: pytest.FixtureRequest) -> Iterator[dict]:
    """Collects medians; prints onnxruntime's speed as a ratio to torch eager at the end."""
    found: dict = {}
    yield found
    plugins = request.config.pluginmanager
    reporter, capture = plugins.getplugin("terminalreporter"), plugins.getplugin("capturemanager")
    rows = [(g, e, *found[(g, e)]) for g, e in sorted(found)]
    if not rows or reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
        _write_summary(reporter.write_line, found, rows)


def _write_summary(write: Any, found: dict, rows: list[tuple]) -> None:
    write("")
    write("inference: onnxruntime vs PyTorch eager (median; speed-up = torch time / this time)")
    for group, engine, median, units, unit in rows:
        eager = found.get((group, "torch-eager"))
        ratio = f"{eager[0] / median:6.2f}x" if eager else "     -"
        write(
            f"  {group:<24} {engine:<12} {median * 1e3:9.1f} ms "
            f"{units / median:>10.0f} {unit}/s   {ratio}"
        )


def record(summary: dict, benchmark: Any, engine: str, units: int, unit: str) -> None:
    benchmark.extra_info.update({"engine": engine, unit: units})
    if unit == "tiles":
        benchmark.extra_info["rows"] = units  # bench/conftest.py's ratio table
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        summary[(benchmark.group, engine)] = (stats.stats.median, units, unit)


# -- same numbers first ---------------------------------------------------------------------
def max_abs_diff(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return max(
        float(np.abs(np.asarray(x) - np.asarray(y)).max()) for x, y in zip(a, b, strict=True)
    )


def test_network_outputs_agree(model, net, batch):
    ort_out = model._session.run(None, batch)
    with torch.inference_mode():
        torch_out = [t.numpy() for t in net(*(torch.from_numpy(batch[k]) for k in batch))]
    assert ort_out[0].shape == (BATCH, model.horizon, 2)
    assert max_abs_diff(ort_out, torch_out) < TOLERANCE


def test_predict_plays_agree(model, torch_model, plays_input):
    tracking, plays = plays_input
    a = model.predict_plays(tracking, plays, what_if=True).to_table()
    b = torch_model.predict_plays(tracking, plays, what_if=True).to_table()
    assert a.num_rows > 0
    assert a.select(["game_id", "play_id", "nfl_id", "target_nfl_id", "frame_id"]).equals(
        b.select(["game_id", "play_id", "nfl_id", "target_nfl_id", "frame_id"])
    )
    cols = ["x", "y", "sigma"]
    assert max_abs_diff([a[c].to_numpy() for c in cols], [b[c].to_numpy() for c in cols]) < (
        TOLERANCE
    )


# -- (a) the raw network on BATCH tiles ---------------------------------------------------
@pytest.mark.benchmark(group=GROUP_NETWORK)
def test_network_onnxruntime(benchmark, model, batch, summary):
    session = model._session  # the shipped session: one intra-op thread, sequential
    out = benchmark.pedantic(session.run, args=(None, batch), rounds=25, warmup_rounds=3)
    assert out[0].shape == (BATCH, model.horizon, 2)
    record(summary, benchmark, "onnxruntime", BATCH, "tiles")


@pytest.mark.benchmark(group=GROUP_NETWORK)
def test_network_torch_eager(benchmark, model, net, batch, summary):
    features, velocity = torch.from_numpy(batch["features"]), torch.from_numpy(batch["velocity"])

    def forward() -> Any:
        with torch.inference_mode():
            return net(features, velocity)

    out = benchmark.pedantic(forward, rounds=25, warmup_rounds=3)
    assert tuple(out[0].shape) == (BATCH, model.horizon, 2)
    record(summary, benchmark, "torch-eager", BATCH, "tiles")


# -- (b) end to end: predict_plays(what_if=True) ------------------------------------------
@pytest.mark.benchmark(group=GROUP_PLAYS)
def test_predict_plays_onnxruntime(benchmark, model, plays_input, summary):
    tracking, plays = plays_input
    out = benchmark.pedantic(
        model.predict_plays,
        args=(tracking, plays),
        kwargs={"what_if": True},
        rounds=5,
        warmup_rounds=1,
    )
    assert out.num_rows > 0
    record(summary, benchmark, "onnxruntime", plays.num_rows, "plays")


@pytest.mark.benchmark(group=GROUP_PLAYS)
def test_predict_plays_torch_eager(benchmark, torch_model, plays_input, summary):
    tracking, plays = plays_input
    out = benchmark.pedantic(
        torch_model.predict_plays,
        args=(tracking, plays),
        kwargs={"what_if": True},
        rounds=5,
        warmup_rounds=1,
    )
    assert out.num_rows > 0
    record(summary, benchmark, "torch-eager", plays.num_rows, "plays")
