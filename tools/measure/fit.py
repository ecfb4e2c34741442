"""Derive the Metal-equivalent figures from the measurements and write REPORT.md's tables.

    .venv/bin/python tools/measure/fit.py

Reads results/measurements*.json (and results/measurements-fused-emulated.json when present),
writes results/fit.json (which scripts/measured-figures.mjs turns into src/devices/measured.ts)
and the generated part of REPORT.md (between the GENERATED markers).

The activations of an answer are what the estimate must add to the weights and the KV cache to
reach MLX's measured peak. The peak is the largest of three stages (vision encoding, prefill, the
end of decoding), so each stage's activations are fitted on their own, by least squares on
relative error over products of the architecture's sizes; the fits are shown with their
residuals. A depth check compares a truncated run with a full-depth run of the same model
(results/depth-check-*.json), which is what the truncated runs' extrapolation rests on.
"""

from __future__ import annotations

import json
import math
from itertools import combinations
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
MiB = 1 << 20

# memtier's catalog (src/devices/models.ts) and estimate (src/policy/memory-estimate.ts):
# weights + kvBytesPerToken x (maxTokens + promptTokens + imageTokens(imageSize)) + cacheLimit + activations.
CATALOG = {
    "SmolVLM2-500M-Video-Instruct-mlx": dict(weights=1_014_000_000, layers=32, kv_heads=5, tile=512, tokens_per_tile=64, longest=2048),
    "SmolVLM2-256M-Video-Instruct-mlx": dict(weights=512_000_000, layers=30, kv_heads=3, tile=512, tokens_per_tile=64, longest=2048),
    "SmolVLM-Instruct-4bit": dict(weights=1_270_000_000, layers=24, kv_heads=32, tile=384, tokens_per_tile=81, longest=1536),
    "SmolVLM2-2.2B-Instruct-mlx": dict(weights=4_500_000_000, layers=24, kv_heads=32, tile=384, tokens_per_tile=81, longest=1536),
}
PROMPT_TOKENS = 256
DESIGN_ACTIVATIONS = 700 * MiB


def memtier_estimate(model: str, tier: dict) -> dict:
    c = CATALOG[model]
    edge = c["longest"]  # upscalesImages: true in the catalog (mlx-swift-lm before 3.31.4)
    per_side = math.ceil(edge / c["tile"])
    tiles = per_side * per_side
    pictures = tiles + 1 if tiles > 1 else 1
    image = pictures * c["tokens_per_tile"]
    kv_per_token = 2 * c["layers"] * c["kv_heads"] * 64 * 2
    kv = kv_per_token * (tier["maxTokens"] + PROMPT_TOKENS + image)
    return {
        "weights": c["weights"],
        "kv_cache": kv,
        "activations": DESIGN_ACTIVATIONS,
        "cache_limit": tier["cacheLimit"],
        "total": c["weights"] + kv + tier["cacheLimit"] + DESIGN_ACTIVATIONS,
        "image_tokens": image,
    }


def model_dims(model: str) -> dict:
    facts = json.loads((HERE / "configs" / f"{model}.json").read_text())

    def v(node):
        return node["value"]

    config = facts["config"]
    return {
        "heads": v(config["text_config"]["num_attention_heads"]),
        "vheads": v(config["vision_config"]["num_attention_heads"]),
        "patch": v(config["vision_config"]["patch_size"]),
        "h": v(config["text_config"]["hidden_size"]),
        "hv": v(config["vision_config"]["hidden_size"]),
        "iv": v(config["vision_config"]["intermediate_size"]),
        "V": v(config["text_config"]["vocab_size"]),
        "layers": v(config["text_config"]["num_hidden_layers"]),
    }




def metal_equivalent(r: dict, run: dict, d: dict, fused_vision: dict) -> dict:
    """The figures a phone's Metal backend would reach: the CPU figures less the attention scores
    that MLX's fused kernels (head_dim 64, 80, 128 in MLX 0.29-0.31) never materialize.

    Vision: the fused-emulated run's vision activations where SigLIP's head_dim is fused (the same
    encoder in the 256M and 500M), else the CPU's. Prefill: the CPU's less one score matrix of the
    largest attention (heads x queries x keys x 2 bytes; MLX's fallback donates the scores' buffer
    to the softmax, so one is live at a time). Decoding: as measured (a single query's scores)."""
    vision_head_dim = d["hv"] // d["vheads"]
    weights = r["weights"]
    key = (r["pipeline"], r["shape"], run["picture_edge"])
    if vision_head_dim in (64, 80, 128) and key in fused_vision:
        vision_peak = weights + fused_vision[key]
        vision_source = "fused-emulated run"
    else:
        vision_peak = r["vision_peak"]
        vision_source = "as measured (head_dim %d is not fused on Metal before MLX 0.32)" % vision_head_dim if vision_head_dim not in (64, 80, 128) else "as measured (no fused-emulated run)"
    S = r["sequence"]
    queries = S if r["pipeline"] == "2.29.2" else min(512, S - 1)
    scores = d["heads"] * queries * S * 2
    prefill_peak = r["prefill_peak"] - scores
    peak = max(vision_peak, prefill_peak, r["decode_peak"])
    return {
        "vision_peak": vision_peak,
        "vision_source": vision_source,
        "prefill_peak": prefill_peak,
        "text_scores_removed": scores,
        "decode_peak": r["decode_peak"],
        "peak": peak,
        "peak_stage": ["vision", "prefill", "decode"][[vision_peak, prefill_peak, r["decode_peak"]].index(peak)],
        "activations": peak - weights - r["kv_cache"],
    }


STAGE_FEATURES = {
    # Vision: Iv = the tokens the vision encoder's pictures make (pictures x image_seq_len), hv its
    # hidden size, Nv its patches (Iv x scale_factor^2), iv its MLP size, b the bytes of its
    # activations (4: float32 before 3.31.4, 2: bf16); Sv = the
    # unfused attention scores (pictures x heads x patches^2 x b) where Metal has no fused kernel.
    "vision": {
        "Iv*hv*b": lambda s: s["Iv"] * s["hv"] * s["b"],
        "Nv*iv*b": lambda s: s["Nv"] * s["iv"] * s["b"],
        "Sv": lambda s: s["Sv"],
        "1": lambda s: 1.0,
    },
    # Prefill: C = the queries per forward (S before 3.31.4, 512 chunks from 3.31.4), h the text
    # hidden size, Lg the positions whose logits are computed (S before 3.31.4, 1 from 3.31.4), V
    # the vocabulary.
    "prefill": {
        "C*h": lambda s: s["C"] * s["h"],
        "Lg*V": lambda s: s["Lg"] * s["V"],
        "1": lambda s: 1.0,
    },
}


def fit_stage(points: list[dict], features: dict, key: str) -> list[dict]:
    """Least squares on relative error, with a floor of 16 MiB under which an error counts as
    absolute (a stage that allocates almost nothing above the weights must not dominate)."""
    y = np.array([max(0.0, p[key]) for p in points], dtype=float)
    names = list(features)
    tried = []
    for n in (1, 2, 3):
        for combo in combinations(names, n):
            X = np.array([[features[f](p) for f in combo] for p in points], dtype=float)
            W = 1.0 / np.maximum(y, 16 * MiB)
            coef, *_ = np.linalg.lstsq(X * W[:, None], y * W, rcond=None)
            if (coef < 0).any():
                continue
            pred = X @ coef
            resid = (pred - y) / np.maximum(y, 16 * MiB)
            tried.append({"terms": list(combo), "coefficients": coef.tolist(), "max_abs_residual": float(np.abs(resid).max()), "residuals": resid.tolist(), "predicted": pred.tolist()})
    tried.sort(key=lambda t: (len(t["terms"]), t["max_abs_residual"]))
    return tried


def stage_points(rows: list[dict], runs: dict) -> list[dict]:
    """One point per (model, pipeline, image shape): the Metal-equivalent activations of the
    vision and prefill stages, above the weights (and, for the prefill, the KV cache it made)."""
    seen = {}
    for r in rows:
        key = (r["model"], r["pipeline"], r["shape"])
        if key in seen:
            continue
        run = runs[key]
        d = r["dims"]
        facts = json.loads((HERE / "configs" / f"{r['model']}.json").read_text())
        seq_len = facts["processor"]["image_seq_len"]["value"]
        pictures = run["pictures"]
        patches = (run["picture_edge"] // d["patch"]) ** 2
        b = 4 if r["pipeline"] == "2.29.2" else 2
        vision_head_dim = d["hv"] // d["vheads"]
        unfused = vision_head_dim not in (64, 80, 128)
        kv_prefill = run["stages"]["prefill"]["kv"]["allocated"] * (run["depth"]["full"]["text"] / run["depth"]["run"]["text"])
        S = r["sequence"]
        seen[key] = {
            "model": r["model"], "pipeline": r["pipeline"], "shape": r["shape"],
            "Iv": pictures * seq_len, "hv": d["hv"], "b": b, "Nv": pictures * patches, "iv": d["iv"],
            "Sv": pictures * d["vheads"] * patches * patches * b if unfused else 0,
            "C": S if r["pipeline"] == "2.29.2" else min(512, S - 1), "h": d["h"], "Lg": S if r["pipeline"] == "2.29.2" else 1, "V": d["V"],
            "vision": r["metal"]["vision_peak"] - r["weights"],
            "prefill": r["metal"]["prefill_peak"] - r["weights"] - kv_prefill,
        }
    return list(seen.values())


def fmt(b: float) -> str:
    return f"{b / MiB:,.0f}"


def depth_check_lines(rows: list[dict], order: dict, tier_order: dict) -> list[str]:
    """A second run of a model at another depth (results/depth-check-*.json) against the run in the
    merged results: the stage peaks a truncated run extrapolates (KV cache scaled to every layer)
    next to those measured with every layer. Empty when there is no depth check."""
    checks = sorted(RESULTS.glob("depth-check-*.json"))
    if not checks:
        return []
    merged = {(r["model"], r["pipeline"], r["tier"]): r for r in rows}
    out = ["### Depth check: truncated runs against full depth", "",
           "The 2.2B and 4-bit models were measured with only their first layers (measure.py --depth): every layer's weights "
           "allocated, the KV cache scaled to every layer, the other activations taken as they are, since a layer's temporaries "
           "are freed before the next layer runs. Here a truncated run of a model is set against a full-depth run of it; the "
           "figures are the CPU's, in MiB (truncated / full), the difference is truncated - full.", "",
           "| model | pipeline | tier | truncated run | full run | vision peak | prefill peak | decode peak at maxTokens | answer peak | difference |",
           "|---|---|---|---|---|---:|---:|---:|---:|---:|"]
    worst = 0.0
    worst_stage = ("", 0)
    compared = 0
    for path in checks:
        data = json.loads(path.read_text())
        for c in sorted(data["results"], key=lambda r: (order.get(r["model"], 0), r["pipeline"], tier_order.get(r["tier"], 0))):
            m = merged.get((c["model"], c["pipeline"], c["tier"]))
            if m is None or (c["depth"] == "measured") == (m["depth"] == "measured"):
                continue
            t, f = (m, c) if c["depth"] == "measured" else (c, m)
            t_file, f_file = ("the merged results", f"results/{path.name}") if c["depth"] == "measured" else (f"results/{path.name}", "the merged results")
            compared += 1
            diff = (t["peak"] - f["peak"]) / f["peak"]
            worst = max(worst, abs(diff))
            for stage in ("vision_peak", "prefill_peak", "decode_peak"):
                if abs(t[stage] - f[stage]) > abs(worst_stage[1]):
                    worst_stage = (f"{stage.replace('_peak', '')}, {t['model']} {t['pipeline']}", t[stage] - f[stage])
            depth = t["depth"].replace("extrapolated from ", "")
            out.append(f"| {t['model']} | {t['pipeline']} | {t['tier']} | {depth} ({t_file}) | {f_file} | "
                       f"{fmt(t['vision_peak'])} / {fmt(f['vision_peak'])} | {fmt(t['prefill_peak'])} / {fmt(f['prefill_peak'])} | "
                       f"{fmt(t['decode_peak'])} / {fmt(f['decode_peak'])} | {fmt(t['peak'])} / {fmt(f['peak'])} | {diff * 100:+.2f}% |")
    out += ["", f"{compared} points compared; the largest difference in the answer's peak is {worst * 100:.2f}%, "
            f"and in any stage's peak {worst_stage[1] / MiB:+.2f} MiB ({worst_stage[0]}).", ""]
    return out


def main() -> int:
    data = json.loads((RESULTS / "measurements.json").read_text())
    # Runs made in parallel into their own files (measure.py --out results/measurements-NAME.json).
    parts = []
    for part in sorted(RESULTS.glob("measurements-*.json")):
        if part.name == "measurements-fused-emulated.json":
            continue
        extra = json.loads(part.read_text())
        models = {r["model"] for r in extra["results"]}
        data["results"] = [r for r in data["results"] if r["model"] not in models] + extra["results"]
        data["runs"] = [r for r in data["runs"] if r["model"] not in models] + extra["runs"]
        parts.append((part.name, extra))
    fused_path = RESULTS / "measurements-fused-emulated.json"
    fused = json.loads(fused_path.read_text()) if fused_path.exists() else None
    tiers = {t["name"]: t for t in data["tiers"]}
    runs = {(r["model"], r["pipeline"], r["shape"]): r for r in data["runs"]}
    fused_vision = {}
    if fused:
        for r in fused["runs"]:
            fused_vision[(r["pipeline"], r["shape"], r["picture_edge"])] = r["stages"]["vision"]["peak"] - r["load"]["parameter_bytes"]
    rows = []
    for r in data["results"]:
        est = memtier_estimate(r["model"], tiers[r["tier"]])
        d = model_dims(r["model"])
        run = runs[(r["model"], r["pipeline"], r["shape"])]
        metal = metal_equivalent(r, run, d, fused_vision)
        rows.append(r | {"estimate": est, "dims": d, "metal": metal, "pictures": run["pictures"]})

    lines = []
    lines.append("<!-- GENERATED by tools/measure/fit.py from results/measurements*.json: do not edit by hand -->")
    lines.append("")
    lines.append("### The runs")
    lines.append("")
    lines.append(f"- `{data['command']}` (from the repository root): {data.get('seconds', 0):,.0f} s, started {data['started']}.")
    for name, extra in parts:
        lines.append(f"- `{extra['command']}` into results/{name} ({', '.join(sorted({r['model'] for r in extra['results']}))}): {extra.get('seconds', 0):,.0f} s.")
    if fused:
        lines.append(f"- `{fused['command']}` into results/measurements-fused-emulated.json (vision only): {fused.get('seconds', 0):,.0f} s.")
    v = data["versions"]
    m = data["machine"]
    lines.append(f"- MLX {v['mlx']} (mlx-cpu {v['mlx-cpu']}), mlx-vlm {v['mlx-vlm']}, numpy {v['numpy']}; backend {v['backend']}; {v['blas']}.")
    lines.append(f"- Machine: {m['cpu']}, {m['cores']} cores shared with other builds, {m['memory_bytes'] / (1 << 30):.1f} GiB, {m['platform']}, Python {m['python']}.")
    lines.append("")
    lines.append("### Model x tier (MiB): measured on the CPU, the Metal equivalent, and the original 700 MiB allowance")
    lines.append("")
    lines.append("weights and KV are MLX's allocations (KV at maxTokens, as KVCacheSimple allocates it: 256-token steps); "
                 "activations = peak - weights - KV; peak = MLX's peak active memory over the answer. "
                 "Metal = the CPU figures less the attention scores Metal's fused kernels never make (see metal_equivalent in fit.py). "
                 "est = the estimate as it was before these measurements (`memtier_estimate` in fit.py: the design's 700 MiB of activations, "
                 "no layout tokens, no 256-token steps), kept as the historical comparison; memtier's estimate today is checked against these figures "
                 "by test/estimate-measured.test.ts. The est total includes the tier's cacheLimit, which MLX's active memory excludes: "
                 "the last columns compare it with Metal peak + cacheLimit.")
    lines.append("")
    lines.append("| model | tier | pipeline | image (tokens) | seq | weights meas / est | KV meas / est | activations CPU / Metal / est | peak CPU (stage) | peak Metal (stage) | Metal peak + cacheLimit / est total | est vs Metal | extrapolated |")
    lines.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    order = {n: i for i, n in enumerate(CATALOG)}
    tier_order = {n: i for i, n in enumerate(tiers)}
    for r in sorted(rows, key=lambda r: (order[r["model"]], r["pipeline"], tier_order[r["tier"]])):
        e = r["estimate"]
        mt = r["metal"]
        metal_total = mt["peak"] + r["cacheLimit"]
        how = []
        if r["decoded"] != "measured":
            how.append("KV " + r["decoded"].replace("extrapolated from ", "from "))
        if r["depth"] != "measured":
            how.append(r["depth"].replace("extrapolated from ", "depth: "))
        lines.append(
            f"| {r['model']} | {r['tier']} | {r['pipeline']} | {r['shape']} ({r['image_tokens']}) | {r['sequence']} | "
            f"{fmt(r['weights'])} / {fmt(e['weights'])} | {fmt(r['kv_cache'])} / {fmt(e['kv_cache'])} | "
            f"{fmt(r['activations'])} / {fmt(mt['activations'])} / {fmt(e['activations'])} | "
            f"{fmt(r['peak'])} ({r['peak_stage']}) | {fmt(mt['peak'])} ({mt['peak_stage']}) | {fmt(metal_total)} / {fmt(e['total'])} | "
            f"{(e['total'] - metal_total) / metal_total * 100:+.0f}% | {'; '.join(how) or '-'} |")
    lines.append("")
    lines.append("### Stage peaks (MiB)")
    lines.append("")
    lines.append("| model | pipeline | image | pictures | vision peak CPU / Metal | prefill peak CPU / Metal | decode peak (largest maxTokens) | decode step temporaries |")
    lines.append("|---|---|---|---:|---:|---:|---:|---:|")
    seen = set()
    for r in sorted(rows, key=lambda r: (order[r["model"]], r["pipeline"], -r["maxTokens"])):
        key = (r["model"], r["pipeline"], r["shape"])
        if key in seen:
            continue
        seen.add(key)
        mt = r["metal"]
        lines.append(f"| {r['model']} | {r['pipeline']} | {r['shape']} | {r['pictures']} | {fmt(r['vision_peak'])} / {fmt(mt['vision_peak'])} | {fmt(r['prefill_peak'])} / {fmt(mt['prefill_peak'])} | {fmt(r['decode_peak'])} | {fmt(r['decode_step_temporaries'])} |")
    lines.append("")
    lines.append("Metal vision figures: " + "; ".join(sorted({f"{r['model']}: {r['metal']['vision_source']}" for r in rows})) + ".")
    lines.append("")
    stages = stage_points(rows, runs)
    stage_fits = {}
    lines.append("### The activations term as memtier should compute it: max(vision, prefill)")
    lines.append("")
    lines.append("The peak of an answer is the largest of three moments: vision encoding (weights + the encoder's activations), "
                 "prefill (weights + the prompt's KV cache + the text model's activations) and the end of decoding (weights + the whole KV cache + about 2 MiB). "
                 "So `weights + KV(maxTokens) + max(A_vision, A_prefill)` is never below the measured peak; A_vision and A_prefill are fitted here "
                 "(Metal-equivalent figures, one point per model x pipeline x image shape). No fit is within 10%, so memtier does not use one: "
                 "its estimate takes the measured A_vision and A_prefill of the model, release and image shape (src/devices/measured.ts), "
                 "and the 700 MiB allowance where nothing was measured.")
    lines.append("")
    for stage in ("vision", "prefill"):
        cands = fit_stage(stages, STAGE_FEATURES[stage], stage)
        within = [c for c in cands if c["max_abs_residual"] <= 0.10]
        ch = within[0] if within else min(cands, key=lambda c: c["max_abs_residual"])
        stage_fits[stage] = {"chosen": ch, "candidates": cands[:10]}
        terms = " + ".join(f"{c:.4g} x {t}" for c, t in zip(ch["coefficients"], ch["terms"]))
        lines.append(f"**A_{stage} = {terms} bytes** (largest residual {ch['max_abs_residual'] * 100:.1f}%{'' if within else '; none within 10%, the best is shown'}).")
        lines.append("")
        lines.append("| model | pipeline | image | features | measured (MiB) | fitted (MiB) | residual |")
        lines.append("|---|---|---|---|---:|---:|---:|")
        for s, pred, res in zip(stages, ch["predicted"], ch["residuals"]):
            feats = ", ".join(f"{k}={s[k]}" for k in (("Iv", "hv", "Nv", "iv", "b", "Sv") if stage == "vision" else ("C", "h", "Lg", "V")))
            lines.append(f"| {s['model']} | {s['pipeline']} | {s['shape']} | {feats} | {s[stage] / MiB:,.1f} | {pred / MiB:,.1f} | {res * 100:+.1f}% |")
        lines.append("")
        lines.append("Other candidates: " + "; ".join(f"{' + '.join(c['terms'])}: {c['max_abs_residual'] * 100:.0f}%" for c in cands[:8]) + ".")
        lines.append("")
    def stage_value(stage, s):
        ch = stage_fits[stage]["chosen"]
        return sum(c * STAGE_FEATURES[stage][t](s) for c, t in zip(ch["coefficients"], ch["terms"]))

    by_key = {(s["model"], s["pipeline"], s["shape"]): s for s in stages}
    lines.append("**The estimate with the fitted term, against every measured peak** (Metal equivalent + cacheLimit; "
                 "new = weights + KV(maxTokens) + max(A_vision, A_prefill) + 2 MiB + cacheLimit, with the measured weights and KV; "
                 "residual = (new - measured) / measured):")
    lines.append("")
    lines.append("| model | tier | pipeline | measured | with the fitted term | residual | 700 MiB allowance (historical) | residual |")
    lines.append("|---|---|---|---:|---:|---:|---:|---:|")
    worst = 0.0
    below = 0
    for r in sorted(rows, key=lambda r: (order[r["model"]], r["pipeline"], tier_order[r["tier"]])):
        s = by_key[(r["model"], r["pipeline"], r["shape"])]
        act = max(stage_value("vision", s), stage_value("prefill", s), 0) + 2 * MiB
        new = r["weights"] + r["kv_cache"] + act + r["cacheLimit"]
        measured = r["metal"]["peak"] + r["cacheLimit"]
        res = (new - measured) / measured
        worst = max(worst, abs(res))
        below += res < 0
        lines.append(f"| {r['model']} | {r['tier']} | {r['pipeline']} | {fmt(measured)} | {fmt(new)} | {res * 100:+.1f}% | {fmt(r['estimate']['total'])} | {(r['estimate']['total'] - measured) / measured * 100:+.0f}% |")
    lines.append("")
    lines.append(f"Largest residual of the new estimate: {worst * 100:.1f}%; below the measured peak in {below} of {len(rows)} points.")
    lines.append("")
    lines.extend(depth_check_lines(rows, order, tier_order))
    (RESULTS / "fit.json").write_text(json.dumps({
        "stages": {"points": stages, "fits": stage_fits},
        "points": [{k: r[k] for k in ("model", "tier", "pipeline", "image_tokens", "sequence", "activations", "weights", "kv_cache", "peak")} | {"metal": r["metal"]} | r["dims"] for r in rows],
    }, indent=1) + "\n")
    report = HERE / "REPORT.md"
    text = report.read_text() if report.exists() else "<!-- GENERATED -->\n<!-- END GENERATED -->\n"
    start = text.index("<!-- GENERATED")
    end = text.index("<!-- END GENERATED -->")
    report.write_text(text[:start] + "\n".join(lines) + "\n" + text[end:])
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
