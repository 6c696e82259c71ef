"""The SAP report as a standalone HTML page and a PDF, with plots (pure: matplotlib, no Django).

A dummy-allocation report carries the label on every page and plot.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages

from outcomes.analysis.regression import Effect
from outcomes.analysis.sap import OutcomeResult, SapResult

DUMMY_BANNER = "DUMMY ALLOCATION - not the trial's result"


@dataclass(frozen=True)
class ReportMeta:
    title: str
    dummy: bool
    generated_at: str  # ISO UTC
    data_sha256: str
    code_version: str
    analyst: str
    arm_labels: tuple[str, str]  # (experimental, comparator)
    consort_png: bytes | None = None  # the live diagram, pooled for a blinded reader


def _effect_text(result: OutcomeResult) -> str:
    return result.effect.describe() if result.effect else f"not estimable: {result.problem}"


def _rows(results: list[OutcomeResult]) -> list[list[str]]:
    return [[r.outcome.label, r.population.upper(), r.method, _effect_text(r)] for r in results]


def forest_png(result: SapResult, meta: ReportMeta) -> bytes:
    """Each outcome's adjusted difference (experimental - comparator) with its 95 % CI, on the
    outcome's own scale divided by its CI half-width would hide units: one row per outcome."""
    effects = [
        (r.outcome.label, r.effect)
        for r in [*result.primary[:1], *result.secondary]
        if r.effect is not None
    ]
    height = 1.2 + 0.35 * max(len(effects), 1)
    figure, axis = plt.subplots(figsize=(8, height))
    for i, (_label, effect) in enumerate(reversed(effects)):
        scale = max(abs(effect.ci_low), abs(effect.ci_high), 1e-9)
        axis.errorbar(
            effect.estimate / scale,
            i,
            xerr=[
                [(effect.estimate - effect.ci_low) / scale],
                [(effect.ci_high - effect.estimate) / scale],
            ],
            fmt="o",
            color="#1f4e79",
        )
        axis.text(
            1.05,
            i,
            f"{effect.estimate:.2f} [{effect.ci_low:.2f}, {effect.ci_high:.2f}]",
            va="center",
            fontsize=7,
            transform=axis.get_yaxis_transform(),
        )
    axis.set_yticks(range(len(effects)), [label for label, _ in reversed(effects)], fontsize=7)
    axis.axvline(0, color="grey", lw=0.8)
    axis.set_xlim(-1.1, 1.1)
    axis.set_xlabel(f"{meta.arm_labels[0]} - {meta.arm_labels[1]} (scaled to each outcome's CI)")
    title = "Adjusted differences, ITT, 95 % CI"
    axis.set_title(
        f"{DUMMY_BANNER}\n{title}" if meta.dummy else title,
        fontsize=9,
        color="#b00020" if meta.dummy else "black",
    )
    return _png(figure)


def moderation_png(result: SapResult, meta: ReportMeta) -> bytes | None:
    if result.moderation is None:
        return None
    figure, axis = plt.subplots(figsize=(6, 3.2))
    slopes = result.moderation.simple_slopes
    xs = [value for _, value, _ in slopes]
    axis.errorbar(
        xs,
        [e.estimate for *_, e in slopes],
        yerr=[
            [e.estimate - e.ci_low for *_, e in slopes],
            [e.ci_high - e.estimate for *_, e in slopes],
        ],
        fmt="o-",
    )
    axis.axhline(0, color="grey", lw=0.8)
    axis.set_xlabel("Baseline LSIQ (mean - 1 SD, mean, mean + 1 SD)")
    axis.set_ylabel("Effect on week-16 ODI")
    title = "Moderation by baseline LSIQ (exploratory)"
    axis.set_title(
        f"{DUMMY_BANNER}\n{title}" if meta.dummy else title,
        fontsize=9,
        color="#b00020" if meta.dummy else "black",
    )
    return _png(figure)


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def summary_lines(result: SapResult, meta: ReportMeta) -> list[str]:
    lines = [meta.title]
    if meta.dummy:
        lines.append(DUMMY_BANNER)
    lines += [
        f"Generated {meta.generated_at} by {meta.analyst}; code {meta.code_version}",
        f"Data snapshot SHA-256 {meta.data_sha256}",
        "Randomised {randomised}; ITT {itt}; per protocol {pp}; primary endpoint observed "
        "{endpoint}".format(**result.counts),
        f"Comparison: {meta.arm_labels[0]} minus {meta.arm_labels[1]}",
    ]
    for r in result.primary:
        lines.append(f"Primary ({r.population.upper()}, {r.method}): {_effect_text(r)}")
    return lines


def _mediation_text(result: SapResult) -> str:
    m = result.mediation
    if m is None:
        return f"Not estimable: {result.mediation_problem}"
    return (
        f"a = {m.a:.3f}, b = {m.b:.3f}, indirect a·b = {m.indirect:.3f} (95 % bootstrap CI "
        f"{m.indirect_ci[0]:.3f} to {m.indirect_ci[1]:.3f}; {m.resamples} resamples, seed "
        f"{m.seed}); direct {m.direct:.3f}; total {m.total:.3f}; n = {m.n}"
    )


def _blinding_rows(result: SapResult) -> list[list[str]]:
    rows = [
        [
            f"Bang, {arm}",
            "-"
            if e is None
            else f"{e.estimate:.2f} (95 % CI {e.ci_low:.2f} to {e.ci_high:.2f}; n = {e.n})",
        ]
        for arm, e in result.bang.items()
    ]
    if result.james is not None:
        j = result.james
        rows.append(
            [
                "James (both arms)",
                f"{j.estimate:.2f} (95 % CI {j.ci_low:.2f} to {j.ci_high:.2f}; n = {j.n})",
            ]
        )
    return rows


def render_html(result: SapResult, meta: ReportMeta) -> str:
    forest = base64.b64encode(forest_png(result, meta)).decode()
    moderation = moderation_png(result, meta)
    banner = f'<p class="dummy">{escape(DUMMY_BANNER)}</p>' if meta.dummy else ""
    effect_header = [
        "Outcome",
        "Population",
        "Method",
        f"{meta.arm_labels[0]} - {meta.arm_labels[1]}",
    ]
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(meta.title)}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;padding:4px 8px;"
        "font-size:13px;text-align:left}.dummy{color:#fff;background:#b00020;padding:8px;"
        "font-weight:bold}</style></head><body>",
        banner,
        f"<h1>{escape(meta.title)}</h1>",
        "<ul>"
        + "".join(f"<li>{escape(line)}</li>" for line in summary_lines(result, meta)[1:])
        + "</ul>",
        "<h2>Primary outcome</h2>",
        _table(effect_header, _rows(result.primary)),
        "<h2>Secondary outcomes (ITT, complete cases)</h2>",
        _table(effect_header, _rows(result.secondary)),
        f"<img alt='forest plot' src='data:image/png;base64,{forest}'>",
        "<h2>Mediation (RQ2): change in multifidus fat fraction</h2>",
        f"<p>{escape(_mediation_text(result))}</p>",
        "<h2>Moderation (RQ4): baseline LSIQ, exploratory</h2>",
    ]
    if result.moderation is None:
        parts.append(f"<p>Not estimable: {escape(result.moderation_problem)}</p>")
    else:
        mod = result.moderation
        parts.append(f"<p>Interaction: {escape(mod.interaction.describe(3))}</p>")
        parts.append(
            _table(
                ["LSIQ", "value", "effect of arm"],
                [[label, f"{value:.1f}", e.describe()] for label, value, e in mod.simple_slopes],
            )
        )
        assert moderation is not None
        png = base64.b64encode(moderation).decode()
        parts.append(f"<img alt='moderation plot' src='data:image/png;base64,{png}'>")
    parts.append("<h2>Blinding of the outcome assessor</h2>")
    if result.blinding_problem:
        parts.append(f"<p>{escape(result.blinding_problem)}</p>")
    else:
        parts.append(_table(["Index", "estimate"], _blinding_rows(result)))
    parts.append("<h2>CONSORT flow diagram</h2>")
    if meta.consort_png:
        consort = base64.b64encode(meta.consort_png).decode()
        parts.append(f"<img alt='CONSORT flow diagram' src='data:image/png;base64,{consort}'>")
    else:
        parts.append("<p>Not drawn: Graphviz is not installed on the server.</p>")
    parts.append("<h2>Table 1: baseline by arm (ITT)</h2>")
    if result.table1 is not None and not result.table1.empty:
        header = list(result.table1.columns)
        parts.append(_table(header, result.table1.astype(str).values.tolist()))
    parts.append(f"{banner}</body></html>")
    return "".join(parts)


def render_pdf(result: SapResult, meta: ReportMeta) -> bytes:
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        page = plt.figure(figsize=(8.27, 11.69))
        y = 0.95
        for i, line in enumerate(summary_lines(result, meta)):
            red = meta.dummy and line == DUMMY_BANNER
            page.text(
                0.06,
                y,
                line,
                fontsize=13 if i == 0 else 8,
                wrap=True,
                color="#b00020" if red else "black",
                weight="bold" if i == 0 or red else "normal",
            )
            y -= 0.035
        y -= 0.02
        for r in result.secondary:
            page.text(0.06, y, f"{r.outcome.label}: {_effect_text(r)}", fontsize=7)
            y -= 0.022
        page.text(0.06, y - 0.02, "Mediation: " + _mediation_text(result), fontsize=7, wrap=True)
        pdf.savefig(page)
        plt.close(page)
        for png in (forest_png(result, meta), moderation_png(result, meta), meta.consort_png):
            if png is None:
                continue
            figure = plt.figure(figsize=(8.27, 11.69))
            axis = figure.add_axes((0.05, 0.05, 0.9, 0.9))
            axis.imshow(plt.imread(io.BytesIO(png)))
            axis.axis("off")
            pdf.savefig(figure)
            plt.close(figure)
    return buffer.getvalue()


def effect_or_none(effect: Effect | None) -> dict[str, float] | None:
    if effect is None:
        return None
    return {
        "estimate": effect.estimate,
        "se": effect.se,
        "ci_low": effect.ci_low,
        "ci_high": effect.ci_high,
        "p": effect.p_value,
        "n": effect.n,
    }
