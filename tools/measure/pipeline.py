"""The steps the VLMEval app runs, on a SmolVLM built from its configuration with random weights.

The model classes are mlx-vlm's (Idefics3 / SmolVLM, the architecture mlx-swift-lm ported); the
forward passes are written here so that they follow mlx-swift-lm's Swift code, not mlx-vlm's
Python generate loop:

- vision: mlx-swift-lm before 3.31.4 runs the SigLIP encoder on the float32 pixels (the bf16
  weights are promoted); 3.31.4 casts the patch embeddings to the weights' type first (3c6dd34e);
- prefill: before 3.31.4 the whole image+text sequence goes through the text model at once and
  the logits of every position are computed; 3.31.4 prefills in chunks of 512 and computes the
  logits of the last position only (a65869e1);
- decoding: one token at a time with KVCacheSimple (grows in steps of 256 tokens), the next step
  scheduled before the previous token is read (TokenIterator's asyncEval), top-p sampling.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable

import mlx.core as mx
import mlx.nn as nn
from mlx.utils import tree_flatten, tree_map

from mlx_vlm.models.cache import KVCache


# ---------------------------------------------------------------------------------------------
# Configurations: each leaf of configs/*.json is {"value", "source", "certainty"}.


def plain(node: Any) -> Any:
    """The values of a configuration file, without their sources."""
    if isinstance(node, dict):
        if "value" in node and "source" in node:
            return node["value"]
        return {key: plain(value) for key, value in node.items() if key != "certainty_legend"}
    return node


@dataclass
class Pipeline:
    """How a release of mlx-swift-lm runs a SmolVLM."""

    name: str
    upscales: bool  # the SmolVLM2 processor enlarges every image to size.longest_edge first
    vision_in_float32: bool  # SigLIP runs on the float32 pixels
    prefill_step: int | None  # None: the whole sequence at once, with the logits of every position


PIPELINES = {
    # The app's pin (Package.resolved: mlx-swift-lm 2.29.2); unchanged through 3.31.3.
    "2.29.2": Pipeline("mlx-swift-lm 2.29.2 (the app's pin; same through 3.31.3)", True, True, None),
    "3.31.4": Pipeline("mlx-swift-lm 3.31.4", False, False, 512),
}


# ---------------------------------------------------------------------------------------------
# Building the model.


def build_model(model_facts: dict) -> tuple[nn.Module, dict]:
    """The architecture from its configuration, random weights of the checkpoint's type."""
    facts = plain(model_facts)
    config = dict(facts["config"])
    model_type = config["model_type"]
    if model_type == "smolvlm":
        from mlx_vlm.models import smolvlm as family
    elif model_type == "idefics3":
        from mlx_vlm.models import idefics3 as family
    else:  # pragma: no cover - the catalog holds only these
        raise ValueError(f"unsupported model_type {model_type}")
    text = {k: v for k, v in config["text_config"].items()}
    vision = {k: v for k, v in config["vision_config"].items()}
    model_config = family.ModelConfig.from_dict({k: v for k, v in config.items() if k not in ("text_config", "vision_config")} | {
        "text_config": family.TextConfig.from_dict(text),
        "vision_config": family.VisionConfig.from_dict(vision),
    })
    model_config.text_config = family.TextConfig.from_dict(text)
    model_config.vision_config = family.VisionConfig.from_dict(vision)
    model = family.Model(model_config)
    dtype = getattr(mx, facts["checkpoint"]["dtype"])
    # Random parameters, cast to the checkpoint's type. Evaluated one by one so that the float32
    # initial values never all exist at once.
    model.update(tree_map(lambda p: p.astype(dtype) if isinstance(p, mx.array) else p, model.parameters()))
    for _, p in tree_flatten(model.parameters()):
        mx.eval(p)
    quantization = facts["checkpoint"]["quantization"]
    if quantization:
        group, bits = quantization["group_size"], quantization["bits"]
        nn.quantize(
            model,
            group_size=group,
            bits=bits,
            class_predicate=lambda _, m: hasattr(m, "to_quantized") and m.weight.shape[-1] % group == 0,
        )
        for _, p in tree_flatten(model.parameters()):
            mx.eval(p)
    model.eval()
    return model, facts


def parameter_arrays(model: nn.Module) -> list[mx.array]:
    return [p for _, p in tree_flatten(model.parameters())]


# ---------------------------------------------------------------------------------------------
# Image tiling, as mlx-swift-lm's processors do it.


@dataclass
class ImageShape:
    """What a processor makes of one image."""

    label: str
    rows: int
    cols: int
    pictures: int  # tiles plus the global image
    edge: int  # pixels of each picture
    image_tokens: int  # <image> tokens in the prompt
    layout_tokens: int  # text tokens the processor adds around the image tokens
    merged: bool  # whether the image features replace the <image> tokens


def smolvlm_tiling(processor: dict, image_side: int, upscales: bool, label: str) -> ImageShape:
    """SmolVLMProcessor.tiles(from:) for a square image of `image_side` pixels, plus the global image."""
    tile = processor["max_image_size_longest_edge"]
    longest = processor["size_longest_edge"]
    edge = longest if upscales else min(longest, image_side)
    edge = math.ceil(edge / tile) * tile
    rows = cols = math.ceil(edge / tile)
    pictures = rows * cols + 1  # mlx-swift-lm always appends the global image, even to one tile
    seq = processor["image_seq_len"]
    # <fake_token_around_image><row_r_col_c> per tile, "\n" per row, "\n<fake><global-img>" ... "<fake>".
    layout = rows * cols * 2 + rows + 4
    return ImageShape(label, rows, cols, pictures, tile, pictures * seq, layout, True)


def idefics3_single(processor: dict, label: str) -> ImageShape:
    """Idefics3Processor: one 384 px picture and a single <image> token (the features are not merged)."""
    edge = processor["fixed_image_size"]
    return ImageShape(label, 1, 1, 1, edge, 1, 0, False)


def hf_tiling(processor: dict, label: str) -> ImageShape:
    """The transformers processors' largest tiling (longest edge / tile per side, plus the global image)."""
    tile = processor["max_image_size_longest_edge"]
    rows = cols = processor["size_longest_edge"] // tile
    pictures = rows * cols + 1
    return ImageShape(label, rows, cols, pictures, tile, pictures * processor["image_seq_len"], rows * cols * 2 + rows + 4, True)


# ---------------------------------------------------------------------------------------------
# Memory figures.


def memory() -> dict:
    return {
        "active": mx.get_active_memory(),
        "peak": mx.get_peak_memory(),
        "cache": mx.get_cache_memory(),
    }


def nbytes(arrays) -> int:
    return sum(a.nbytes for a in arrays)


def kv_bytes(caches: list[KVCache]) -> dict:
    allocated = sum(c.keys.nbytes + c.values.nbytes for c in caches if c.keys is not None)
    used = 0
    for c in caches:
        if c.keys is not None:
            per_token = (c.keys.nbytes + c.values.nbytes) // c.keys.shape[2]
            used += per_token * c.offset
    return {"allocated": allocated, "used": used, "tokens": caches[0].offset, "capacity": caches[0].keys.shape[2] if caches[0].keys is not None else 0}


# ---------------------------------------------------------------------------------------------
# Attention. On the CPU, mx.fast.scaled_dot_product_attention always takes MLX's fallback
# (mlx/fast.cpp), which materializes the scores (heads x queries x keys), the masked scores and
# their softmax. On Metal, MLX 0.29 uses fused kernels that never materialize them when
# head_dim is 64, 80 or 128 (sdpa_full for more than 8 queries, sdpa_vector for up to 8)
# (mlx/backend/metal/scaled_dot_product_attention.cpp, ScaledDotProductAttention::use_fallback).
# "fused-emulated" stands in for those kernels here: the same attention computed 128 queries at a
# time, each block evaluated before the next, so that only one block's scores exist at once.

ATTENTION = {"mode": "mlx"}
FUSED_HEAD_DIMS = (64, 80, 128)


def attention(q: mx.array, k: mx.array, v: mx.array, scale: float, causal: bool) -> mx.array:
    if ATTENTION["mode"] != "fused-emulated" or q.shape[2] <= 8 or q.shape[-1] not in FUSED_HEAD_DIMS:
        return mx.fast.scaled_dot_product_attention(q, k, v, scale=scale, mask="causal" if causal else None)
    B, H, L, D = q.shape
    kv_heads = k.shape[1]
    if kv_heads != H:
        k = mx.repeat(k, H // kv_heads, axis=1)
        v = mx.repeat(v, H // kv_heads, axis=1)
    offset = k.shape[2] - L
    blocks = []
    for start in range(0, L, 128):
        stop = min(L, start + 128)
        s = (q[:, :, start:stop] * scale) @ k.swapaxes(-1, -2)
        if causal:
            rows = mx.arange(start + offset, stop + offset)[:, None]
            cols = mx.arange(k.shape[2])[None]
            s = mx.where(cols <= rows, s, mx.array(-mx.inf, s.dtype))
        o = mx.softmax(s, axis=-1, precise=True) @ v
        mx.eval(o)
        blocks.append(o)
    return mx.concatenate(blocks, axis=2)


def vision_layer(layer, x: mx.array) -> mx.array:
    attn = layer.self_attn
    B, L, D = x.shape
    h = layer.layer_norm1(x)
    q = attn.q_proj(h).reshape(B, L, attn.num_heads, -1).transpose(0, 2, 1, 3)
    k = attn.k_proj(h).reshape(B, L, attn.num_heads, -1).transpose(0, 2, 1, 3)
    v = attn.v_proj(h).reshape(B, L, attn.num_heads, -1).transpose(0, 2, 1, 3)
    o = attention(q, k, v, attn.scale, causal=False).transpose(0, 2, 1, 3).reshape(B, L, D)
    x = x + attn.out_proj(o)
    return x + layer.mlp(layer.layer_norm2(x))


# ---------------------------------------------------------------------------------------------
# Forward passes, following mlx-swift-lm's Idefics3.swift.


def vision_features(model, pixels: mx.array, pipeline: Pipeline) -> mx.array:
    """SigLIP + pixel shuffle + projection for pixels (N, H, W, 3) float32."""
    vm = model.vision_model
    emb = vm.embeddings
    patches = emb.patch_embedding(pixels)  # float32 pixels, bf16 weights: float32
    patches = mx.flatten(patches, start_axis=1, end_axis=2)
    positions = mx.arange(patches.shape[1])[None]
    x = patches + emb.position_embedding(positions)
    if not pipeline.vision_in_float32:
        x = x.astype(emb.patch_embedding.weight.dtype)
    for layer in vm.encoder.layers:
        x = vision_layer(layer, x)
    pooled = vm.post_layernorm(x)
    text_dtype = model.language_model.norm.weight.dtype
    return model.connector(pooled.astype(text_dtype))


def text_layer(layer, x: mx.array, cache: KVCache) -> mx.array:
    attn = layer.self_attn
    B, L, _ = x.shape
    h = layer.input_layernorm(x)
    q = attn.q_proj(h).reshape(B, L, attn.n_heads, -1).transpose(0, 2, 1, 3)
    k = attn.k_proj(h).reshape(B, L, attn.n_kv_heads, -1).transpose(0, 2, 1, 3)
    v = attn.v_proj(h).reshape(B, L, attn.n_kv_heads, -1).transpose(0, 2, 1, 3)
    q = attn.rope(q, offset=cache.offset)
    k = attn.rope(k, offset=cache.offset)
    k, v = cache.update_and_fetch(k, v)
    o = attention(q, k, v, attn.scale, causal=L > 1)
    o = o.transpose(0, 2, 1, 3).reshape(B, L, -1)
    x = x + attn.o_proj(o)
    mlp = layer.mlp
    h = layer.post_attention_layernorm(x)
    return x + mlp.down_proj(nn.silu(mlp.gate_proj(h)) * mlp.up_proj(h))


def text_model(model, embeddings: mx.array, caches: list[KVCache], logits: bool = True) -> mx.array | None:
    lm = model.language_model
    x = embeddings.astype(lm.norm.weight.dtype)
    for layer, cache in zip(lm.layers, caches):
        x = text_layer(layer, x, cache)
    if not logits:
        return None
    return lm.lm_head(lm.norm(x))


def merged_embeddings(model, input_ids: mx.array, features: mx.array | None, image_token: int) -> mx.array:
    """The text embeddings with the image features in place of the <image> tokens (inputs_merger)."""
    embeds = model.language_model.embed_tokens(input_ids)
    if features is None:
        return embeds
    ids = input_ids[0].tolist()
    positions = [i for i, t in enumerate(ids) if t == image_token]
    per_picture = features.shape[1]
    chunks = len(positions) // per_picture  # Idefics3Processor's single token makes 0 chunks
    if chunks == 0:
        return embeds
    flat = features[:chunks].reshape(-1, features.shape[-1])
    segments = []
    start = 0
    # Runs of consecutive image positions become one slice each (as many slices as Swift's
    # per-token segments would concatenate to; the result is the same array).
    run_start = None
    feature_index = 0
    for n, pos in enumerate(positions[: chunks * per_picture]):
        if run_start is None:
            run_start = (pos, feature_index)
        nxt = positions[n + 1] if n + 1 < chunks * per_picture else None
        feature_index += 1
        if nxt != pos + 1:
            first_pos, first_feature = run_start
            if first_pos > start:
                segments.append(embeds[0, start:first_pos])
            segments.append(flat[first_feature:feature_index].astype(embeds.dtype))
            start = pos + 1
            run_start = None
    if start < embeds.shape[1]:
        segments.append(embeds[0, start:])
    return mx.concatenate(segments, axis=0)[None]


def top_p_sample(logits: mx.array, temperature: float, top_p: float) -> mx.array:
    """mlx-swift-lm's TopPSampler: softmax at the temperature, keep the top-p mass, draw."""
    logits = logits.astype(mx.float32)
    probs = mx.softmax(logits / temperature, axis=-1)
    order = mx.argsort(probs, axis=-1)
    sorted_probs = mx.take_along_axis(probs, order, axis=-1)
    cumulative = mx.cumsum(sorted_probs, axis=-1)
    kept = mx.where(cumulative > 1 - top_p, sorted_probs, mx.zeros_like(sorted_probs))
    choice = mx.random.categorical(mx.log(kept), axis=-1)
    return mx.take_along_axis(order, choice[..., None], axis=-1).squeeze(-1)


# ---------------------------------------------------------------------------------------------
# One answer.


@dataclass
class RunPlan:
    pipeline: Pipeline
    shape: ImageShape
    prompt_tokens: int  # chat template, system prompt and question, besides the image
    max_tokens: int  # the tier's maxTokens
    decode_tokens: int  # how many of them this run decodes (the rest are extrapolated)
    cache_limit: int
    memory_limit: int | None
    temperature: float
    top_p: float
    checkpoints: int = 16  # figures recorded along the decoding
    vision_only: bool = False  # stop after vision encoding


def input_ids(facts: dict, plan: RunPlan) -> mx.array:
    """A prompt of the right length: text tokens around the processor's image layout."""
    image_token = facts["config"]["image_token_id"]
    text = plan.prompt_tokens
    before = text // 2
    ids = [1] * before + [49189] * plan.shape.layout_tokens
    ids += [image_token] * plan.shape.image_tokens
    ids += [2] * (text - before)
    return mx.array(ids)[None]


def run_answer(model, facts: dict, plan: RunPlan, decode_seconds: float | None = None, stop_at=(),
               clock: Callable[[], float] = time.perf_counter) -> dict:
    """Vision encoding, prefill and decoding under the tier's limits; MLX's figures after each."""
    stages: dict[str, Any] = {}
    timings: dict[str, float] = {}
    mx.clear_cache()
    previous_memory_limit = mx.set_memory_limit(plan.memory_limit if plan.memory_limit is not None else mx.get_memory_limit())
    mx.set_cache_limit(plan.cache_limit)
    mx.reset_peak_memory()
    stages["start"] = memory()

    ids = input_ids(facts, plan)
    shape = plan.shape
    # Vision encoding: random pixels in [-1, 1] (normalized with mean 0.5, std 0.5), float32 as
    # MediaProcessing.asMLXArray makes them.
    t = clock()
    mx.reset_peak_memory()
    pixels = mx.random.uniform(-1, 1, (shape.pictures, shape.edge, shape.edge, 3), dtype=mx.float32)
    mx.eval(pixels)
    features = vision_features(model, pixels, plan.pipeline)
    mx.eval(features)
    del pixels
    timings["vision"] = clock() - t
    stages["vision"] = memory() | {"features_bytes": features.nbytes}
    if plan.vision_only:
        mx.set_memory_limit(previous_memory_limit)
        return {"sequence": {"image_tokens": shape.image_tokens}, "stages": stages, "decode_curve": [], "seconds": timings}

    # Prefill.
    t = clock()
    mx.reset_peak_memory()
    caches = [KVCache() for _ in model.language_model.layers]
    embeddings = merged_embeddings(model, ids, features if shape.merged else None, facts["config"]["image_token_id"])
    mx.eval(embeddings)
    del features
    sequence = embeddings.shape[1]
    step = plan.pipeline.prefill_step
    if step is None:
        logits = text_model(model, embeddings, caches)[:, -1, :]
    else:
        while embeddings.shape[1] > 1:
            n = min(step, embeddings.shape[1] - 1)
            text_model(model, embeddings[:, :n], caches, logits=False)
            mx.eval([c.keys for c in caches] + [c.values for c in caches])
            embeddings = embeddings[:, n:]
        logits = text_model(model, embeddings, caches)[:, -1, :]
    token = top_p_sample(logits, plan.temperature, plan.top_p)
    mx.eval(token)
    del embeddings, logits
    timings["prefill"] = clock() - t
    stages["prefill"] = memory() | {"kv": kv_bytes(caches)}

    # Decoding.
    t = clock()
    mx.reset_peak_memory()
    curve = []
    every = max(1, plan.decode_tokens // plan.checkpoints)

    def step_once(y):
        h = model.language_model.embed_tokens(y[None])
        logits = text_model(model, h, caches)[:, -1, :]
        return top_p_sample(logits, plan.temperature, plan.top_p)

    y = token
    nxt = step_once(y)
    mx.async_eval(nxt)
    generated = 1  # the prefill's token
    marks = set(stop_at)
    while generated < plan.decode_tokens:
        if decode_seconds is not None and clock() - t > decode_seconds and generated >= 2:
            break
        y = nxt
        if generated + 1 < plan.decode_tokens:
            nxt = step_once(y)
            mx.async_eval(nxt)
        mx.eval(y)
        generated += 1
        if generated % every == 0 or generated == plan.decode_tokens or generated in marks:
            curve.append({"generated": generated, "kv_tokens": caches[0].offset} | memory() | {"kv": kv_bytes(caches)["allocated"]})
    mx.eval(nxt)
    timings["decode"] = clock() - t
    stages["decode"] = memory() | {"kv": kv_bytes(caches), "generated": generated}
    mx.set_memory_limit(previous_memory_limit)
    del caches
    return {
        "sequence": {"prefill": sequence, "image_tokens": shape.image_tokens, "layout_tokens": shape.layout_tokens, "prompt_tokens": plan.prompt_tokens, "generated": generated},
        "stages": stages,
        "decode_curve": curve,
        "seconds": timings,
    }
