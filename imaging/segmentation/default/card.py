"""MODEL_CARD.md of the default model, written from its JSON document by ``make model``."""

from __future__ import annotations


def card(document: dict) -> str:
    training = document.get("training", {})
    options = training.get("options", {})
    model, parameters = document["model"], document["parameters"]
    lines = [
        "# STRONG-BACK default segmentation model (multifidus and erector spinae, left/right)",
        "",
        "A starting point for the trial's scans, **not a validated trial measure**: every mask "
        "goes through the reader's QC, and a run the model is unsure of is marked *needs "
        "correction* and cannot be approved without a corrected mask or a reason.",
        "",
        f"- Architecture: MONAI 2D UNet, channels {model['channels']}, strides "
        f"{model['strides']}, {model['num_res_units']} residual units, instance norm; roi "
        f"{parameters['roi_size']}, in-plane 1 mm (`pix_dim` {parameters['pix_dim']}); "
        "MuscleMap label values 1-4 (1/2 multifidus right/left, 3/4 erector spinae right/left).",
        "- Sources: the shared MuscleMap T2 sample (20 slices), the MyoSegmenTUM Dixon subject "
        "TUM01 from another site and scanner (in-phase = water + fat, water and fat images of "
        "one scan, 29 slices, manual labels), two MuscleMap label maps without images (drawn "
        "backgrounds), 6 lumbar phantoms. Each source is drawn equally often.",
        "- Recipe: domain randomisation (`imaging/segmentation/synthesis.py`): in "
        f"{int(100 * options.get('synthesis', {}).get('probability', 0))} % of crops every "
        "tissue cluster (the muscles by label, the rest by intensity bin) gets a random mean and "
        "texture, then a bias field, random gamma, blur and noise; otherwise the real crop, "
        "inverted in some, with shading, contrast and noise; random rotation (15°), per-axis "
        "scaling (0.8-1.25) and left/right flips with the side labels swapped. "
        f"{options.get('max_steps')} steps of batch {options.get('batch_size')} "
        f"({options.get('crop')}-pixel crops), AdamW with cosine decay, seed "
        f"{options.get('seed')}; best weights on 2 validation phantoms.",
        "",
        "## Leave-one-subject-out evaluation",
        "",
        "Each real subject was left out of training and every one of its slices segmented by "
        "the model trained without it (shipped inference settings: overlap 0.75, largest "
        "component). The shipped model was then trained on all sources.",
        "",
        "| data | label | Dice | HD95 mm | CSA error % | volume error % |",
        "|---|---|---|---|---|---|",
    ]
    for data, labels in document.get("evaluation", {}).items():
        for label, m in labels.items():
            lines.append(f"| {data} | {label} | {m['dice']} | {m['hd95_mm']} | "
                         f"{m['csa_error_pct']} | {m['volume_error_pct']} |")  # fmt: skip
    lines += ["", *targets(document)]
    fat = document.get("fat_fraction_error_pp", {})
    if fat:
        lines += [
            "",
            "## Dixon fat fraction from the model's masks (left-out Dixon subject)",
            "",
            "Voxel-wise F/(F+W) averaged over the model's mask minus the same over the manual "
            "mask, in percentage points; the mask was segmented on the contrast named.",
            "",
            "| segmented on | " + " | ".join(next(iter(fat.values()))) + " |",
            "|---|" + "---|" * len(next(iter(fat.values()))),
        ]
        for contrast, errors in fat.items():
            lines.append(f"| {contrast} | " + " | ".join(str(v) for v in errors.values()) + " |")
    confidence = document.get("confidence", {})
    if confidence:
        thresholds = confidence["thresholds"]
        lines += [
            "",
            '## Confidence and "needs correction"',
            "",
            "Score = the weakest muscle's mean softmax probability of its own label over its "
            "mask (`imaging/segmentation/confidence.py`), plus shape checks (a muscle missing "
            "or in pieces on a slice inside the stack, a CSA jump over "
            f"{thresholds['max_csa_ratio']}x between neighbouring slices, a slice CSA outside "
            "a plausible range, sides, multifidus not medial to the erector spinae). The score "
            "threshold is calibrated on the left-out runs below: above every run with "
            "multifidus Dice < 0.80 and below every run with Dice >= 0.85 where they separate; "
            "with no poor run, the lowest good score less 0.05. "
            f"Threshold: **{thresholds['min_score']}**.",
            "",
            "| left-out run | score | lower multifidus Dice |",
            "|---|---|---|",
        ]
        for run in confidence.get("runs", []):
            lines.append(f"| {run['subject']} | {run['score']} | {round(run['dice'], 4)} |")
    lines += [
        "",
        "## Limitations",
        "",
        "- Two real subjects, one per site: the left-out figures say how the recipe transfers "
        "to a scanner and contrast it never saw, not how it does on the trial's population. "
        "Fine-tune with approved masks (`manage.py export_training_set`, then "
        "`python -m imaging train --init model.pth --domain-randomisation`).",
        "- The T2 sample's labels are probably a model's output, not a manual tracing; the Dixon "
        "labels are manual. Their boundary conventions differ, which caps agreement.",
        "- Psoas and quadratus lumborum are not drawn.",
    ]
    return "\n".join(lines) + "\n"


TARGETS = (("T2", 0.88), ("Dixon inphase", 0.85), ("Dixon water", 0.85))
FAT_TARGET_PP = 1.5


def targets(document: dict) -> list[str]:
    """The project's targets for left-out subjects, each marked met or not met."""
    evaluation = document.get("evaluation", {})
    lines = ["Targets (multifidus Dice of a left-out subject; Dixon fat fraction within "
             f"{FAT_TARGET_PP} pp):", ""]  # fmt: skip
    for prefix, target in TARGETS:
        figures = next((v for k, v in evaluation.items() if k.startswith(prefix)), None)
        if figures is None:
            continue
        worst = min(figures[f"multifidus_{side}"]["dice"] for side in ("right", "left"))
        verdict = "met" if worst >= target else "**not met**"
        lines.append(f"- {prefix}: >= {target}: lower side {worst} — {verdict}")
    fat = document.get("fat_fraction_error_pp", {})
    for contrast in ("inphase", "water"):
        errors = [v for k, v in fat.get(contrast, {}).items() if k.startswith("multifidus")]
        if errors:
            worst = max((abs(v) for v in errors if v is not None), default=None)
            verdict = "met" if worst is not None and worst <= FAT_TARGET_PP and None not in errors \
                else "**not met**"  # fmt: skip
            lines.append(f"- Dixon fat fraction, masks from {contrast}: largest multifidus "
                         f"error {worst} pp — {verdict}")  # fmt: skip
    return lines
