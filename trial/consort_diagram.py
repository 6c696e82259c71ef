"""The CONSORT 2025 flow diagram drawn from the counts with Graphviz (SVG and PDF).

Pure: the counts, the labels and a translator (``_``, English when none is given; the web page
passes Django's ``gettext``) come in, the DOT graph goes out. A blinded reader's counts have no
arms, so the diagram has one pooled column ("All randomised"); the labels never name an arm then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import graphviz

from trial.consort import ArmCounts, ConsortCounts

Translate = Callable[[str], str]


def _english(text: str) -> str:
    return text


BOX = {"shape": "box", "style": "rounded", "fontname": "Helvetica", "fontsize": "10"}


def _lines(*lines: str) -> str:
    """A left-aligned multi-line Graphviz label (each line ends with \\l)."""
    return "".join(line.replace("\\", "\\\\") + "\\l" for line in lines)


def _n(text: str, n: int) -> str:
    return f"{text} (n={n})"


def _exclusions(counts: ConsortCounts, criteria: Mapping[str, str], _: Translate) -> str:
    lines = [
        _n(_("Excluded"), counts.excluded),
        "  " + _n(_("Not meeting inclusion criteria"), counts.not_meeting_criteria),
    ]
    lines += [
        "    " + _n(str(criteria.get(code, code)), n)
        for code, n in counts.excluded_by_criterion.items()
    ]
    lines += [
        "  " + _n(_("Declined to participate"), counts.declined),
        "  " + _n(_("Could not be reached"), counts.not_reached),
        "  " + _n(_("Screening pending"), counts.pending),
        "  " + _n(_("Eligible, not (yet) randomised"), counts.eligible_not_randomised),
    ]
    return _lines(*lines)


def _arm_boxes(arm: ArmCounts, reasons: Mapping[str, str], _: Translate) -> tuple[str, str, str]:
    allocation = _lines(_n(_("Allocated"), arm.allocated),
                        "  " + _n(_("Received allocated intervention"), arm.received),
                        "  " + _n(_("Did not receive it"), arm.did_not_receive))  # fmt: skip
    follow_up = [_n(_("Lost to follow-up"), arm.lost_to_follow_up),
                 _n(_("Discontinued intervention"), arm.discontinued_intervention),
                 _n(_("Withdrew"), arm.withdrawn)]  # fmt: skip
    follow_up += ["  " + _n(str(reasons.get(code, code)), n)
                  for code, n in sorted(arm.exit_reasons.items())]  # fmt: skip
    analysis = _lines(
        _n(_("Analysed"), arm.analysed),
        "  " + _n(_("Not analysed: no week-16 ODI or data use refused"), arm.not_analysed),
    )
    return allocation, _lines(*follow_up), analysis


def consort_graph(
    counts: ConsortCounts,
    arm_labels: Mapping[str, str],
    criteria: Mapping[str, str],
    reasons: Mapping[str, str],
    _: Translate = _english,
) -> graphviz.Digraph:
    title = {"label": _("CONSORT 2025 flow diagram"), "labelloc": "t", "fontname": "Helvetica"}
    graph = graphviz.Digraph("consort", graph_attr={"rankdir": "TB", "nodesep": "0.4", **title})
    graph.attr("node", **BOX)
    graph.node("assessed", _n(_("Assessed for eligibility"), counts.assessed))
    graph.node("excluded", _exclusions(counts, criteria, _))
    graph.node("randomised", _n(_("Randomised"), counts.randomised))
    with graph.subgraph() as row:
        row.attr(rank="same")
        row.node("split", "", shape="point", width="0.01")
        row.node("excluded")
    graph.edge("assessed", "split", arrowhead="none")
    graph.edge("split", "excluded")
    graph.edge("split", "randomised")
    columns = (
        [(code, arm_labels.get(code, code), arm) for code, arm in counts.by_arm.items()]
        if counts.by_arm is not None
        else [
            ("pooled", _("All randomised (pooled: your role is blinded to the arm)"), counts.pooled)
        ]
    )
    stages = {"Allocation": _("Allocation"), "Follow-up": _("Follow-up"), "Analysis": _("Analysis")}
    for stage, words in stages.items():
        graph.node(f"stage_{stage}", words, shape="box", style="filled", fillcolor="#cfe2ff")
    graph.edge("stage_Allocation", "stage_Follow-up", style="invis")
    graph.edge("stage_Follow-up", "stage_Analysis", style="invis")
    for code, label, arm in columns:
        allocation, follow_up, analysis = _arm_boxes(arm, reasons, _)
        graph.node(f"{code}_allocation", _lines(label, *allocation.split("\\l")[:-1]))
        graph.node(f"{code}_follow_up", follow_up)
        graph.node(f"{code}_analysis", analysis)
        graph.edge("randomised", f"{code}_allocation")
        graph.edge(f"{code}_allocation", f"{code}_follow_up")
        graph.edge(f"{code}_follow_up", f"{code}_analysis")
    for stage, suffix in (("Allocation", "allocation"), ("Follow-up", "follow_up"),
                          ("Analysis", "analysis")):  # fmt: skip
        with graph.subgraph() as row:
            row.attr(rank="same")
            row.node(f"stage_{stage}")
            for code, _label, _arm in columns:
                row.node(f"{code}_{suffix}")
    return graph


def render(graph: graphviz.Digraph, fmt: str) -> bytes:
    """SVG, PDF or PNG bytes (Graphviz's ``dot`` program must be installed)."""
    if fmt not in ("svg", "pdf", "png"):
        raise ValueError(f"unknown format {fmt!r}")
    return graph.pipe(format=fmt)
