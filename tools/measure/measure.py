"""Measure SmolVLM's memory with the real MLX: every catalog model, every tier of tiers.yaml.

    python3 -m venv .venv && .venv/bin/pip install -r tools/measure/requirements.txt
    LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libopenblas.so.0 nice -n 10 .venv/bin/python tools/measure/measure.py

(see README.md). Writes tools/measure/results/measurements.json; fit.py reads it.

For each model: build the architecture from configs/<model>.json with random weights of the
checkpoint's type (quantized as the checkpoint is), record MLX's figures after load, then for each
mlx-swift-lm pipeline (2.29.2, the app's pin; 3.31.4) and each image shape the tiers give, run one
answer (vision encoding, prefill, decoding) and record MLX's active, peak and cache memory after
each step and along the decoding. Each tier's figures are read at its maxTokens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import mlx.core as mx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pipeline as P  # noqa: E402

REPO = HERE.parent.parent
MODELS = [
    "SmolVLM2-500M-Video-Instruct-mlx",
    "SmolVLM2-256M-Video-Instruct-mlx",
    "SmolVLM-Instruct-4bit",
    "SmolVLM2-2.2B-Instruct-mlx",
]

# Keeping each run within the time one CPU allows (see README.md): the quantized and 2.2B models
# run only their first layers (every layer's weights stay allocated; the KV cache is scaled to
# every layer), and decoding stops after a time budget (the KV cache is extrapolated by its
# allocation rule from the measured per-token size).
DEFAULT_DEPTH = {"SmolVLM2-2.2B-Instruct-mlx": "2:3", "SmolVLM-Instruct-4bit": "1:1"}
DEFAULT_DECODE_SECONDS = {
    "SmolVLM2-500M-Video-Instruct-mlx": 240,
    "SmolVLM2-256M-Video-Instruct-mlx": 90,
    "SmolVLM2-2.2B-Instruct-mlx": 90,
    "SmolVLM-Instruct-4bit": 30,
}

UNITS = {"": 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "KB": 10**3, "MB": 10**6, "GB": 10**9}


def size(text) -> int | None:
    """A tiers.yaml size: a bare number is bytes; KiB/MiB/GiB powers of two, KB/MB/GB of ten."""
    if text is None:
        return None
    if isinstance(text, int):
        return text
    match = re.fullmatch(r"\s*([0-9_]+(?:\.[0-9]+)?)\s*([KMG]i?B|B)?\s*", str(text))
    if not match:
        raise ValueError(f"not a size: {text!r}")
    return int(float(match.group(1).replace("_", "")) * UNITS[match.group(2) or ""])


def read_tiers(path: Path) -> tuple[list[dict], dict]:
    import yaml

    policy = yaml.safe_load(path.read_text())
    tiers = []
    for tier in policy["tiers"]:
        tiers.append({
            "name": tier["name"],
            "imageSize": int(tier["imageSize"]),
            "maxTokens": int(tier["maxTokens"]),
            "cacheLimit": size(tier["cacheLimit"]),
            "memoryLimit": size(tier["memoryLimit"]),
        })
    return tiers, policy.get("generation", {})


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0
    try:
        mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) * 1024
    except (OSError, AttributeError):
        pass
    return {"platform": platform.platform(), "machine": platform.machine(), "cpu": cpu, "cores": os.cpu_count(), "memory_bytes": mem, "python": platform.python_version()}


def versions() -> dict:
    from importlib.metadata import version

    blas = "bundled reference BLAS (mlx-cpu wheel)"
    preload = os.environ.get("LD_PRELOAD", "")
    if "openblas" in preload:
        blas = f"OpenBLAS via LD_PRELOAD={preload} (float32 matmuls only; bf16 and quantized matmuls use MLX's own CPU kernels)"
    return {
        "mlx": mx.__version__,
        "mlx-cpu": version("mlx-cpu"),
        "mlx-vlm": version("mlx-vlm"),
        "numpy": version("numpy"),
        "backend": str(mx.default_device()),
        "blas": blas,
    }


def shapes_for(facts: dict, pipeline: P.Pipeline, tiers: list[dict]) -> list[tuple[P.ImageShape, list[dict]]]:
    """The image shapes the app's processor makes for the tiers' images, each with the tiers that
    give it. With 2.29.2 every image is enlarged to size.longest_edge, so every tier gets the
    largest tiling (4x4 + global for a square photo); with 3.31.4 the app's images (downscaled to
    imageSize) are one tile, or 2x2 where imageSize exceeds the tile."""
    processor = facts["processor"]
    groups: dict[str, tuple[P.ImageShape, list[dict]]] = {}
    if processor["processor_class"] == "Idefics3Processor":
        shape = P.idefics3_single(processor, "one 384 px picture, one <image> token (Idefics3Processor)")
        groups[shape.label] = (shape, list(tiers))
        return list(groups.values())
    for tier in tiers:
        shape = P.smolvlm_tiling(processor, tier["imageSize"], pipeline.upscales, "")
        shape.label = f"{shape.rows}x{shape.cols} tiles + global"
        groups.setdefault(shape.label, (shape, []))[1].append(tier)
    return list(groups.values())


def truncate(model, text_layers: int | None, vision_layers: int | None) -> dict:
    """Run only the first layers (the weights of every layer stay allocated)."""
    lm = model.language_model
    vm = model.vision_model
    full = {"text": len(lm.layers), "vision": len(vm.encoder.layers)}
    kept = {"text": full["text"], "vision": full["vision"]}
    if text_layers:
        kept["text"] = text_layers
    if vision_layers:
        kept["vision"] = vision_layers
    return {"full": full, "run": kept}


def tier_figures(run: dict, tier: dict, depth: dict, weights: int) -> dict:
    """A tier's figures from one generation: peaks up to its maxTokens, KV at its maxTokens."""
    scale_text = depth["full"]["text"] / depth["run"]["text"]
    stages = run["stages"]
    curve = run["decode_curve"]
    target = tier["maxTokens"]
    generated = stages["decode"]["generated"]
    points = [p for p in curve if p["generated"] <= target]
    kv_prefill = stages["prefill"]["kv"]["allocated"]
    per_token = stages["prefill"]["kv"]["used"] / max(1, stages["prefill"]["kv"]["tokens"])
    total_tokens = run["sequence"]["prefill"] + target
    # KVCacheSimple's allocation: the prefill rounded up to 256 tokens, then 256 more each time it fills.
    step = 256
    capacity = math.ceil(run["sequence"]["prefill"] / step) * step
    while capacity < total_tokens - 1:
        capacity += step
    kv_at_target_run = int(per_token * capacity)
    measured_to_target = generated >= target
    if measured_to_target and points:
        last = points[-1]
        kv_end = last["kv"]
        decode_peak = max(p["peak"] for p in points)
        active_end = last["active"]
        cache_end = last["cache"]
    else:
        # Extrapolated: the KV cache by its allocation rule from the measured per-token size,
        # the decode step's own temporaries as measured.
        last = curve[-1] if curve else {"kv": kv_prefill, "active": stages["prefill"]["active"], "peak": stages["decode"]["peak"], "cache": stages["decode"]["cache"]}
        grow = kv_at_target_run - last["kv"]
        kv_end = kv_at_target_run
        decode_peak = stages["decode"]["peak"] + grow
        active_end = last["active"] + grow
        cache_end = last["cache"]
    step_temporaries = decode_peak - active_end
    # Scale to every layer: each layer holds the same KV cache; a layer's temporaries are freed
    # before the next layer runs, so the activation term does not grow with depth.
    kv_full = int(kv_end * scale_text)
    extra_kv_prefill = int(kv_prefill * (scale_text - 1))
    extra_kv_end = kv_full - kv_end
    vision_peak = stages["vision"]["peak"]
    prefill_peak = stages["prefill"]["peak"] + extra_kv_prefill
    decode_peak_full = decode_peak + extra_kv_end
    peak = max(vision_peak, prefill_peak, decode_peak_full)
    return {
        "weights": weights,
        "kv_cache": kv_full,
        "kv_cache_used": int(per_token * scale_text * (total_tokens - 1)),
        "kv_tokens": total_tokens - 1,
        "peak": peak,
        "peak_stage": ["vision", "prefill", "decode"][[vision_peak, prefill_peak, decode_peak_full].index(peak)],
        "activations": peak - weights - kv_full,
        "vision_peak": vision_peak,
        "prefill_peak": prefill_peak,
        "decode_peak": decode_peak_full,
        "decode_step_temporaries": step_temporaries,
        "active_after_decode": active_end + extra_kv_end,
        "cache_after_decode": cache_end,
        "decoded": "measured" if measured_to_target else f"extrapolated from {generated} measured tokens",
        "depth": "measured" if scale_text == 1 and depth["run"]["vision"] == depth["full"]["vision"] else f"extrapolated from {depth['run']['text']} of {depth['full']['text']} text layers and {depth['run']['vision']} of {depth['full']['vision']} vision layers",
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="*", default=MODELS)
    parser.add_argument("--pipelines", nargs="*", default=list(P.PIPELINES))
    parser.add_argument("--tiers", type=Path, default=REPO / "tiers.yaml")
    parser.add_argument("--prompt-tokens", type=int, default=256, help="text tokens besides the image (memtier's promptTokens)")
    parser.add_argument("--depth", action="append", default=[], metavar="MODEL=TEXT:VISION", help="run only the first layers of a model (every layer's weights stay allocated) and scale the KV cache to every layer")
    parser.add_argument("--decode-seconds", action="append", default=[], metavar="MODEL=SECONDS", help="stop decoding a model after this long and extrapolate the KV cache")
    parser.add_argument("--attention", choices=["mlx", "fused-emulated"], default="mlx", help="mlx: MLX's own attention (its CPU fallback); fused-emulated: stand in for Metal's fused kernels (see pipeline.py)")
    parser.add_argument("--vision-only", action="store_true", help="stop each run after vision encoding (no tier results)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "measurements.json")
    args = parser.parse_args(argv)

    started = time.time()
    P.ATTENTION["mode"] = args.attention
    tiers, generation = read_tiers(args.tiers)
    depths = {k: tuple(int(x) for x in v.split(":")) for k, v in (DEFAULT_DEPTH | dict(d.split("=", 1) for d in args.depth)).items()}
    budgets = {k: float(v) for k, v in (DEFAULT_DECODE_SECONDS | dict(d.split("=", 1) for d in args.decode_seconds)).items() if v not in ("none", "0")}
    out = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": versions(),
        "tiers": tiers,
        "generation": generation,
        "prompt_tokens": args.prompt_tokens,
        "attention": args.attention,
        "runs": [],
        "results": [],
    }
    if args.out.exists():
        previous = json.loads(args.out.read_text())
        keep = [r for r in previous.get("runs", []) if r["model"] not in args.models]
        out["runs"].extend(keep)
        out["results"].extend(r for r in previous.get("results", []) if r["model"] not in args.models)
        out["earlier_commands"] = previous.get("earlier_commands", []) + [{"command": previous.get("command"), "models": sorted({r["model"] for r in keep}), "seconds": previous.get("seconds")}] if keep else []

    for name in args.models:
        facts_raw = json.loads((HERE / "configs" / f"{name}.json").read_text())
        mx.clear_cache()
        mx.reset_peak_memory()
        t = time.time()
        model, facts = P.build_model(facts_raw)
        mx.clear_cache()
        params = P.parameter_arrays(model)
        load = {
            "active": mx.get_active_memory(),
            "parameter_bytes": P.nbytes(params),
            "parameter_arrays": len(params),
            "metal_page_rounding_bytes": sum((-(p.nbytes) % 16384) for p in params if p.nbytes > 16384),
            "seconds": round(time.time() - t, 1),
        }
        text_k, vision_k = depths.get(name, (None, None))
        depth = truncate(model, text_k, vision_k)
        lm, vm = model.language_model, model.vision_model
        all_text, all_vision = lm.layers, vm.encoder.layers
        print(f"{name}: {load['parameter_bytes'] / 2**20:.1f} MiB in {len(params)} arrays; depth {depth['run']}", flush=True)
        for pname in args.pipelines:
            pipeline = P.PIPELINES[pname]
            for shape, shape_tiers in shapes_for(facts, pipeline, tiers):
                strictest = min(shape_tiers, key=lambda tr: (tr["cacheLimit"], tr["memoryLimit"] or 1 << 62))
                longest = max(tr["maxTokens"] for tr in shape_tiers)
                decode_tokens = longest
                plan = P.RunPlan(pipeline, shape, args.prompt_tokens, longest, decode_tokens, strictest["cacheLimit"], strictest["memoryLimit"],
                                 float(generation.get("temperature", 0.7)), float(generation.get("topP", 0.9)), checkpoints=40,
                                 vision_only=args.vision_only)
                budget = budgets.get(name)
                t = time.time()
                lm.layers = all_text[: depth["run"]["text"]]
                vm.encoder.layers = all_vision[: depth["run"]["vision"]]
                try:
                    run = P.run_answer(model, facts, plan, decode_seconds=budget, stop_at=[tr["maxTokens"] for tr in shape_tiers])
                finally:
                    lm.layers, vm.encoder.layers = all_text, all_vision
                run.update({
                    "model": name,
                    "pipeline": pname,
                    "pipeline_name": pipeline.name,
                    "shape": shape.label,
                    "pictures": shape.pictures,
                    "picture_edge": shape.edge,
                    "image_features_merged": shape.merged,
                    "tiers": [tr["name"] for tr in shape_tiers],
                    "limits": {"cacheLimit": strictest["cacheLimit"], "memoryLimit": strictest["memoryLimit"], "from_tier": strictest["name"]},
                    "depth": depth,
                    "load": load,
                    "wall_seconds": round(time.time() - t, 1),
                })
                out["runs"].append(run)
                if args.vision_only:
                    print(f"  {pname} {shape.label}: {run['wall_seconds']} s, vision peak {run['stages']['vision']['peak'] / 2**20:.0f} MiB", flush=True)
                    args.out.write_text(json.dumps(out, indent=1) + "\n")
                    continue
                for tier in shape_tiers:
                    figures = tier_figures(run, tier, depth, load["parameter_bytes"])
                    out["results"].append({
                        "model": name,
                        "tier": tier["name"],
                        "pipeline": pname,
                        "shape": shape.label,
                        "tier_shape": shape.label == shapes_for(facts, pipeline, [tier])[0][0].label,
                        "sequence": run["sequence"]["prefill"],
                        "image_tokens": shape.image_tokens,
                        "maxTokens": tier["maxTokens"],
                        "cacheLimit": tier["cacheLimit"],
                        "memoryLimit": tier["memoryLimit"],
                    } | figures)
                print(f"  {pname} {shape.label}: {run['wall_seconds']} s, seq {run['sequence']['prefill']}, "
                      f"vision peak {run['stages']['vision']['peak'] / 2**20:.0f} MiB, prefill peak {run['stages']['prefill']['peak'] / 2**20:.0f} MiB, "
                      f"decode peak {run['stages']['decode']['peak'] / 2**20:.0f} MiB ({run['stages']['decode']['generated']} tokens)", flush=True)
                out["seconds"] = round(time.time() - started, 1)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps(out, indent=1) + "\n")
        del model, params
    out["seconds"] = round(time.time() - started, 1)
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.out} in {out['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
