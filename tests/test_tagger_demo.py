"""The tagger example (examples/tagger.py) at a small size: the exported model, the eager
pipeline and the jitted one give the same tag strings; its batched Viterbi equals a per-sentence
NumPy Viterbi on padded batches."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

import onnxarray as xp

ROOT = Path(__file__).resolve().parent.parent


def _load_example():
    spec = importlib.util.spec_from_file_location("tagger_example", ROOT / "examples" / "tagger.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


tagger = _load_example()


@pytest.fixture(scope="module")
def trained():
    pytest.importorskip("skl2onnx")
    pytest.importorskip("sklearn")
    sentences, tags = tagger.corpus(60, seed=0)
    model = tagger.train(sentences, tags, hidden=8)
    tag = tagger.make_tag(model)
    exported = tagger.export(tag)
    session = ort.InferenceSession(exported.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return model, tag, exported, session


def _text(batch):
    return np.array(batch, dtype=object)


def test_exported_equals_eager_and_jit(trained):
    model, tag, _, session = trained
    batches, _ = tagger.held_out_batches(12, seed=1)
    jitted = xp.jit(tag)
    for batch in batches:
        (got,) = session.run(None, {"sentences": _text(batch)})
        eager = np.asarray(tag(xp.asarray(_text(batch))))
        assert got.shape == eager.shape
        assert got.tolist() == eager.tolist()
        assert np.asarray(jitted(xp.asarray(_text(batch)))).tolist() == got.tolist()
        words = [s.split() for s in batch]
        assert got.shape == (len(batch), max(map(len, words), default=0))
        for row, ws in zip(got.tolist(), words):   # a tag per word, "" on the padding
            assert all(t in tagger.TAGS for t in row[:len(ws)])
            assert row[len(ws):] == [""] * (len(row) - len(ws))


def test_repeated_eager_calls_same_bits(trained):
    """Repeated eager calls of one signature run as compiled plans: the same tags."""
    _, tag, _, session = trained
    batch = _text(["The quick dog sees a zebra", "we watch", ""])
    (want,) = session.run(None, {"sentences": batch})
    for _ in range(4):
        assert np.asarray(tag(xp.asarray(batch))).tolist() == want.tolist()


def test_unknown_words_and_case(trained):
    model, tag, _, session = trained
    assert "zebra" not in model.vocabulary and "dog" in model.vocabulary
    batch = ["The zebra sees THE DOG", "the zebra sees the dog", "the  Zebra sees the dog"]
    (got,) = session.run(None, {"sentences": _text(batch)})
    assert got[0].tolist() == got[1].tolist() == got[2].tolist()   # lower-cased, split on runs


def _op_types(model):
    """Operators of the main graph, its local functions and every Loop body."""
    graphs, ops = [model.graph], {n.op_type for f in model.functions for n in f.node}
    graphs += [a.g for f in model.functions for n in f.node for a in n.attribute
               if a.HasField("g")]
    while graphs:
        g = graphs.pop()
        ops |= {n.op_type for n in g.node}
        graphs += [a.g for n in g.node for a in n.attribute if a.HasField("g")]
    return ops


def test_one_model(trained):
    _, tag, exported, session = trained
    assert sorted(f.name for f in exported.functions) == ["decode", "featurize", "tokenize"]
    ops = _op_types(exported)
    assert {"StringNormalizer", "StringSplit", "LabelEncoder", "MatMul", "Loop"} <= ops
    assert "ArrayFeatureExtractor" not in ops            # the network's label branch is gone
    assert tagger.node_count(exported) > len(exported.graph.node)

    # Inlined, for runtimes without local functions: the same tags.
    sentences = xp.argument(shape=("sentences",), dtype=xp.string)
    flat = xp.build({"sentences": sentences}, {"tags": tag(sentences)},
                    inline_functions=True)
    assert not flat.functions
    flat_session = ort.InferenceSession(flat.SerializeToString(),
                                        providers=["CPUExecutionProvider"])
    batch = _text(["The old man watches the light", "", "they fish"])
    assert (flat_session.run(None, {"sentences": batch})[0].tolist()
            == session.run(None, {"sentences": batch})[0].tolist())


def _numpy_viterbi(em, log_trans, log_init):
    if len(em) == 0:
        return []
    score, back = log_init + em[0], []
    for t in range(1, len(em)):
        cand = score[:, None] + log_trans
        back.append(cand.argmax(0))
        score = cand.max(0) + em[t]
    best = [int(score.argmax())]
    for pointers in reversed(back):
        best.append(int(pointers[best[-1]]))
    return best[::-1]


@pytest.mark.parametrize("lengths", [[5, 1, 3, 0], [1], [4, 4], [0, 0], [7, 2]])
def test_batched_viterbi_equals_numpy_per_sentence(lengths):
    rng = np.random.default_rng(len(lengths) * 10 + sum(lengths))
    k, width = 4, max(lengths)
    em = np.log(rng.dirichlet(np.ones(k), (len(lengths), width))).astype(np.float32)
    em = em.reshape(len(lengths), width, k)
    log_trans = np.log(rng.dirichlet(np.ones(k), k)).astype(np.float32)
    log_init = np.log(rng.dirichlet(np.ones(k))).astype(np.float32)
    inside = np.arange(width)[None, :] < np.array(lengths)[:, None]
    path = np.asarray(tagger.viterbi(xp.asarray(em), xp.asarray(inside), xp.asarray(log_trans),
                                     xp.asarray(log_init)))
    assert path.shape == (len(lengths), width)
    for row, n, e in zip(path, lengths, em):
        assert row[:n].tolist() == _numpy_viterbi(e[:n], log_trans, log_init)
