"""A text tagger shipped as ONE ONNX model: raw sentences in, one tag string per word out.

1. A toy part-of-speech corpus is generated (deterministic; ambiguous words such as "watch",
   "fish" or "light" are a noun, a verb or an adjective depending on their neighbours).
2. A scikit-learn ``MLPClassifier`` learns per-token tag probabilities from one-hot features of
   the token and its two neighbours; skl2onnx exports it (zipmap off). A transition matrix and
   the initial tag distribution are counted from the corpus.
3. ``tag`` is written once against the Array API (plus ``onnxarray.strings`` and ``lax``):
   lower-case and split the sentences, map tokens to vocabulary ids (unknown words to UNK), build
   the features, call the skl2onnx network through ``onnxarray.from_onnx``, decode each sentence
   with a batched Viterbi pass (``lax.scan`` forward, ``lax.scan(reverse=True)`` back), and map
   tag ids back to tag strings ("" on padding).
4. ``tag`` runs eagerly on onnxarray arrays, and is traced on a symbolic string argument into one
   model with a dynamic number of sentences and a dynamic sentence length; the model runs in a
   plain onnxruntime session from NumPy strings and must give exactly the eager result.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

import onnxarray
from onnxarray import lax

TAGS = ["DET", "NOUN", "VERB", "ADJ", "ADV", "PRON", "ADP"]

# The lexicon the generator draws from; a word may carry several tags.
DETERMINERS = ["the", "a", "this", "every", "some", "my"]
NOUNS = ["dog", "cat", "bird", "man", "woman", "child", "park", "house", "book", "ball",
         "river", "tree", "city", "song", "fish", "watch", "run", "walk", "play", "light",
         "garden", "teacher", "window", "boat"]
ADJECTIVES = ["big", "small", "old", "young", "happy", "red", "quick", "quiet", "light",
              "bright", "green", "tired"]
VERBS_3SG = ["sees", "likes", "finds", "reads", "watches", "hears", "loves", "takes", "walks",
             "runs", "plays", "paints", "fishes", "lights", "carries"]
VERBS_BASE = ["see", "like", "find", "read", "watch", "hear", "love", "take", "walk", "run",
              "play", "paint", "fish", "light", "carry"]
ADVERBS = ["quickly", "slowly", "often", "never", "today", "again", "well", "together"]
PRONOUNS_3SG = ["he", "she", "it"]
PRONOUNS_PL = ["they", "we", "you", "i"]
PREPOSITIONS = ["in", "near", "with", "under", "behind", "on", "from"]
# Held-out sentences also use words the training corpus never shows: they map to UNK.
UNSEEN_NOUNS = ["zebra", "lantern", "violin", "harbour"]
UNSEEN_ADJECTIVES = ["violet", "gentle"]
UNSEEN_VERBS_3SG = ["admires", "follows"]


def _noun_phrase(rng, unseen: bool) -> list[tuple[str, str]]:
    nouns = NOUNS + UNSEEN_NOUNS * 3 if unseen else NOUNS
    adjectives = ADJECTIVES + UNSEEN_ADJECTIVES * 3 if unseen else ADJECTIVES
    words = [(rng.choice(DETERMINERS), "DET")]
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        words.append((rng.choice(adjectives), "ADJ"))
    words.append((rng.choice(nouns), "NOUN"))
    return words


def _sentence(rng, unseen: bool) -> list[tuple[str, str]]:
    """One sentence as (word, tag) pairs: subject, verb, optional object, adverb and phrase."""
    if rng.random() < 0.45:
        plural = rng.random() < 0.6
        subject = [(rng.choice(PRONOUNS_PL if plural else PRONOUNS_3SG), "PRON")]
    else:
        plural, subject = False, _noun_phrase(rng, unseen)
    verbs = VERBS_BASE if plural else (
        VERBS_3SG + UNSEEN_VERBS_3SG * 3 if unseen else VERBS_3SG)
    words = subject + [(rng.choice(verbs), "VERB")]
    if rng.random() < 0.7:
        words += _noun_phrase(rng, unseen)
    if rng.random() < 0.35:
        words.append((rng.choice(ADVERBS), "ADV"))
    if rng.random() < 0.4:
        words += [(rng.choice(PREPOSITIONS), "ADP")] + _noun_phrase(rng, unseen)
    if rng.random() < 0.2:
        words.append((rng.choice(ADVERBS), "ADV"))
    return words


def corpus(n: int, seed: int, unseen: bool = False) -> tuple[list[str], list[list[str]]]:
    """``n`` raw sentences (capitalised, sometimes shouted or double-spaced) and their tags."""
    rng = np.random.default_rng(seed)
    sentences, tags = [], []
    for _ in range(n):
        pairs = _sentence(rng, unseen)
        words = [str(w) for w, _ in pairs]
        words[0] = words[0].capitalize()
        if rng.random() < 0.1:
            words = [w.upper() for w in words]
        sep = "  " if rng.random() < 0.1 else " "
        sentences.append(sep.join(words))
        tags.append([t for _, t in pairs])
    return sentences, tags


# -- the pipeline, written once against the Array API -----------------------------------------

def features(xp, ids, counts, vocab_size: int):
    """One-hot features of each token and its left and right neighbours, float32.

    ``ids`` is ``(sentences, length)`` int64 (token ids ``0..vocab_size``, UNK included), and
    ``counts`` the number of real tokens per sentence; a neighbour beyond the sentence is the
    boundary id ``vocab_size + 1``. Returns ``(sentences * length, 3 * (vocab_size + 2))``.
    """
    width = vocab_size + 2
    boundary = vocab_size + 1
    position = xp.arange(ids.shape[1], dtype=xp.int64)
    inside = position[None, :] < counts[:, None]
    ids = xp.where(inside, ids, boundary)
    edge = xp.full((ids.shape[0], 1), boundary, dtype=xp.int64)
    left = xp.concat([edge, ids], axis=1)[:, :-1]       # length stays ids.shape[1], 0 too
    right = xp.concat([ids, edge], axis=1)[:, 1:]
    codes = xp.arange(width, dtype=xp.int64)
    parts = [xp.astype(x[:, :, None] == codes, xp.float32) for x in (ids, left, right)]
    return xp.reshape(xp.concat(parts, axis=2), (-1, 3 * width))


def viterbi(emissions, inside, log_trans, log_init):
    """The best tag path of every sentence of a padded batch.

    ``emissions``: ``(sentences, length, tags)`` log-scores; ``inside``: ``(sentences,
    length)`` bool, true on real tokens (a prefix of each row). Padded steps keep the scores
    and point each tag to itself, so back-tracking passes through them unchanged. Returns the
    tag ids, ``(sentences, length)`` int64 (the last real tag repeated over the padding).
    """
    xp = onnxarray
    n_tags = log_trans.shape[0]
    stay = xp.arange(n_tags, dtype=xp.int64)

    def forward(carry, step):
        score, t = carry
        em, real = step
        cand = score[:, :, None] + log_trans[None, :, :]   # cand[s, i, j]: best to i, then i->j
        best = xp.where(t == 0, log_init[None, :] + em, xp.max(cand, axis=1) + em)
        back = xp.where(t == 0, stay[None, :], xp.argmax(cand, axis=1))
        score = xp.where(real[:, None], best, score)
        back = xp.where(real[:, None], back, stay[None, :])
        return (score, t + 1), back

    start = xp.zeros((emissions.shape[0], n_tags), dtype=emissions.dtype)
    (score, _), backs = lax.scan(
        forward, (start, xp.asarray(0, dtype=xp.int64)),
        (xp.permute_dims(emissions, (1, 0, 2)), xp.permute_dims(inside, (1, 0))))

    def backtrack(state, back):
        return xp.take_along_axis(back, state[:, None], axis=1)[:, 0], state

    _, path = lax.scan(backtrack, xp.argmax(score, axis=1), backs, reverse=True)
    return xp.permute_dims(path, (1, 0))


@dataclass(frozen=True)
class Tagger:
    """What training produces: the vocabulary, the exported network and the HMM tables."""

    vocabulary: list[str]          # token id i is vocabulary[i]; id len(vocabulary) is UNK
    network: onnx.ModelProto       # skl2onnx MLPClassifier: "X" -> "probabilities"
    log_trans: np.ndarray          # (tags, tags) float32, log P(tag_j | previous tag_i)
    log_init: np.ndarray           # (tags,) float32, log P(first tag)


def make_tag(model: Tagger):
    """``tag(sentences)``: a 1-D string array -> ``(sentences, words)`` tag strings.

    The steps are ``onnxarray.function``s: the exported model shows them as the local functions
    ``tokenize``, ``featurize`` and ``decode`` around the network's graph (read it in Netron).
    """
    xp = onnxarray
    # Only the "probabilities" output: skl2onnx's label branch refuses an empty batch (which a
    # batch of empty sentences is), and an eager call would compute it.
    network = xp.from_onnx(model.network, outputs=["probabilities"])
    vocab_size = len(model.vocabulary)
    log_trans, log_init = xp.asarray(model.log_trans), xp.asarray(model.log_init)

    @xp.function
    def tokenize(sentences):
        """Lower-case, split on spaces, words to ids (UNK for unknown ones)."""
        tokens, counts = xp.strings.split(xp.strings.lower(sentences))
        return xp.strings.lookup(tokens, model.vocabulary, default=vocab_size), counts

    @xp.function
    def featurize(ids, counts):
        return features(xp, ids, counts, vocab_size)

    @xp.function
    def decode(proba, ids, counts):
        """Per-word log-scores, Viterbi per sentence, tag strings ("" on the padding)."""
        shape = (ids.shape[0], ids.shape[1], len(TAGS))
        emissions = xp.reshape(xp.log(proba + 1e-6), shape)
        inside = xp.arange(shape[1], dtype=xp.int64)[None, :] < counts[:, None]
        path = viterbi(emissions, inside, log_trans, log_init)
        return xp.where(inside, xp.strings.lookup(path, list(range(len(TAGS))), TAGS), "")

    def tag(sentences):
        ids, counts = tokenize(sentences)
        proba = network(X=featurize(ids, counts))["probabilities"]
        return decode(proba, ids, counts)

    return tag


# -- training ---------------------------------------------------------------------------------

def train(sentences: list[str], tags: list[list[str]], *, hidden: int = 32,
          unk_rate: float = 0.05, seed: int = 0) -> Tagger:
    """Vocabulary, the MLP's features and labels, the network exported by skl2onnx, and the
    transition counts. A fraction ``unk_rate`` of the training tokens is replaced by UNK, so
    the network learns what to make of unknown words."""
    from skl2onnx import to_onnx
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    words = [s.lower().split() for s in sentences]
    vocabulary = sorted({w for ws in words for w in ws})
    index = {w: i for i, w in enumerate(vocabulary)}
    length = max(map(len, words))
    rng = np.random.default_rng(seed)
    ids = np.zeros((len(words), length), dtype=np.int64)
    for row, ws in enumerate(words):
        ids[row, :len(ws)] = [index[w] for w in ws]
    ids = np.where(rng.random(ids.shape) < unk_rate, len(vocabulary), ids)
    counts = np.array([len(ws) for ws in words], dtype=np.int64)
    # the same function, run eagerly (NumPy >= 2 would do too; 1.26 has no concat)
    X = np.asarray(features(onnxarray, onnxarray.asarray(ids), onnxarray.asarray(counts),
                            len(vocabulary)))
    real = (np.arange(length)[None, :] < counts[:, None]).reshape(-1)
    y = np.array([TAGS.index(t) for ts in tags for t in ts])
    # One BLAS thread: these small products only lose time to thread hand-offs.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier(hidden_layer_sizes=(hidden,), max_iter=200, random_state=seed)
        mlp.fit(X[real], y)
    network = to_onnx(mlp, X[:1], options={"zipmap": False}, target_opset=18)

    k = len(TAGS)
    trans, init = np.ones((k, k)), np.ones(k)            # add-one smoothing
    for ts in tags:
        t = [TAGS.index(x) for x in ts]
        init[t[0]] += 1
        for a, b in zip(t[:-1], t[1:]):
            trans[a, b] += 1
    log_trans = np.log(trans / trans.sum(axis=1, keepdims=True)).astype(np.float32)
    log_init = np.log(init / init.sum()).astype(np.float32)
    return Tagger(vocabulary, network, log_trans, log_init)


# -- export and checks -------------------------------------------------------------------------

def export(tag) -> onnx.ModelProto:
    """``tag`` traced on a symbolic batch of sentences: one model, any batch and length."""
    sentences = onnxarray.argument(shape=("sentences",), dtype=onnxarray.string)
    return onnxarray.build({"sentences": sentences}, {"tags": tag(sentences)},
                           doc_string="text tagger: tokenizer, skl2onnx MLP, Viterbi")


def node_count(model: onnx.ModelProto) -> int:
    """Nodes of the main graph and of the local functions, and of every subgraph (Loop
    bodies) inside them."""
    pending = [list(model.graph.node)] + [list(f.node) for f in model.functions]
    count = 0
    while pending:
        nodes = pending.pop()
        count += len(nodes)
        for node in nodes:
            for attr in node.attribute:
                graphs = [attr.g] if attr.HasField("g") else list(attr.graphs)
                pending.extend(list(g.node) for g in graphs)
    return count


def held_out_batches(n: int, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    """Batches of held-out sentences and their tags: many sentences, one, one-word sentences,
    empty strings among sentences, only empty strings (no tokens at all), no sentences, and the
    whole set at once (last), with the tags of the whole set."""
    sentences, tags = corpus(n, seed, unseen=True)
    batches = [sentences[: n // 2], sentences[n // 2: n // 2 + 1],
               ["Dogs", "Zebra", "watch"],               # "dogs" is not in the vocabulary
               ["", sentences[0], "   "], ["", ""], [], sentences]
    return batches, tags


def word_by_word(model: Tagger, sentences: list[str]) -> list[list[str]]:
    """The baseline without Viterbi: each word's most probable tag from the network alone
    (NumPy and a session of the network), to show what the transitions add."""
    words = [s.lower().split() for s in sentences]
    index = {w: i for i, w in enumerate(model.vocabulary)}
    length = max(map(len, words))
    ids = np.zeros((len(words), length), dtype=np.int64)
    for row, ws in enumerate(words):
        ids[row, :len(ws)] = [index.get(w, len(model.vocabulary)) for w in ws]
    counts = np.array([len(ws) for ws in words], dtype=np.int64)
    network = ort.InferenceSession(model.network.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    (proba,) = network.run(["probabilities"],
                           {"X": np.asarray(features(onnxarray, onnxarray.asarray(ids),
                                                     onnxarray.asarray(counts),
                                                     len(model.vocabulary)))})
    best = proba.reshape(len(words), length, len(TAGS)).argmax(axis=2)
    return [[TAGS[k] for k in row[:n]] for row, n in zip(best, counts)]


def accuracy(predicted, gold) -> tuple[int, int]:
    """(right, total) over the words of ``gold``."""
    pairs = [(p, g) for ps, gs in zip(predicted, gold) for p, g in zip(ps, gs)]
    return sum(p == g for p, g in pairs), sum(map(len, gold))


def main(argv: list[str]) -> None:
    small = "--small" in argv
    t0 = time.perf_counter()
    sentences, tags = corpus(120 if small else 400, seed=0)
    model = train(sentences, tags, hidden=16 if small else 32)
    print(f"trained on {len(sentences)} sentences ({sum(map(len, tags))} tokens), vocabulary "
          f"{len(model.vocabulary)} words + UNK, in {time.perf_counter() - t0:.1f} s")

    tag = make_tag(model)
    exported = export(tag)
    onnx.checker.check_model(exported, full_check=True)
    path = Path(tempfile.mkdtemp()) / "tagger.onnx"
    onnx.save(exported, path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    print(f"exported {path}: {path.stat().st_size:,} bytes, {node_count(exported)} nodes "
          f"(subgraphs included), opset {exported.opset_import[0].version}")

    batches, gold = held_out_batches(20 if small else 100, seed=1)
    agree = total = 0
    for batch in batches:
        (got,) = session.run(None, {"sentences": np.array(batch, dtype=object)})
        eager = np.asarray(tag(onnxarray.asarray(np.array(batch, dtype=object))))
        if got.shape != eager.shape:
            raise SystemExit(f"tagger: shapes differ, {got.shape} and {eager.shape}")
        agree += int(np.sum(got == eager))
        total += got.size
    print(f"exported model vs eager Python pipeline: {agree}/{total} tag positions agree "
          f"({agree / total:.0%}) over {len(batches)} batches")
    (tagged,) = session.run(None, {"sentences": np.array(batches[-1], dtype=object)})
    right, scored = accuracy(tagged.tolist(), gold)
    alone, _ = accuracy(word_by_word(model, batches[-1]), gold)
    print(f"tagging accuracy on {len(gold)} held-out sentences ({scored} words, unseen "
          f"ones included): {right / scored:.1%} with Viterbi, {alone / scored:.1%} word by "
          "word from the network alone")
    example = batches[1][0]
    (shown,) = session.run(None, {"sentences": np.array([example], dtype=object)})
    print(f"  {example!r} -> {' '.join(shown[0][: len(example.split())])}")
    if agree != total:
        raise SystemExit("tagger: the exported model disagrees with the Python pipeline")


if __name__ == "__main__":
    main(sys.argv[1:])
