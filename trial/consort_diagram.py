"""The CONSORT 2025 flow diagram drawn from the counts with Graphviz (SVG and PDF).

Pure: the counts and the labels come in, the DOT graph goes out. A blinded reader's counts have no
arms, so the diagram has one pooled column ("All randomised"); the labels never name an arm then.
"""

from __future__ import annotations

from collections.abc import Mapping

import graphviz

from trial.consort import ArmCounts, ConsortCounts

POOLED = "All randomised (pooled: your role is blinded to the arm)"
BOX = {"shape": "box", "style": "rounded", "fontname": "Helvetica", "fontsize": "10"}


def _lines(*lines: str) -> str:
    """A left-aligned multi-line Graphviz label (each line ends with \\l)."""
    return "".join(line.replace("\\", "\\\\") + "\\l" for line in lines)


def _exclusions(counts: ConsortCounts, criteria: Mapping[str, str]) -> str:
    lines = [f"Excluded (n={counts.excluded})",
             f"  Not meeting inclusion criteria (n={counts.not_meeting_criteria})"]  # fmt: skip
    lines += [f"    {criteria.get(code, code)} (n={n})"
              for code, n in counts.excluded_by_criterion.items()]  # fmt: skip
    lines += [f"  Declined to participate (n={counts.declined})",
              f"  Could not be reached (n={counts.not_reached})",
              f"  Screening pending (n={counts.pending})",
              f"  Eligible, not (yet) randomised (n={counts.eligible_not_randomised})"]  # fmt: skip
    return _lines(*lines)


def _arm_boxes(arm: ArmCounts, reasons: Mapping[str, str]) -> tuple[str, str, str]:
    allocation = _lines(f"Allocated (n={arm.allocated})",
                        f"  Received allocated intervention (n={arm.received})",
                        f"  Did not receive it (n={arm.did_not_receive})")  # fmt: skip
    follow_up = [f"Lost to follow-up (n={arm.lost_to_follow_up})",
                 f"Discontinued intervention (n={arm.discontinued_intervention})",
                 f"Withdrew (n={arm.withdrawn})"]  # fmt: skip
    follow_up += [f"  {reasons.get(code, code)} (n={n})"
                  for code, n in sorted(arm.exit_reasons.items())]  # fmt: skip
    analysis = _lines(
        f"Analysed (n={arm.analysed})",
        f"  Not analysed: no week-16 ODI or data use refused (n={arm.not_analysed})",
    )
    return allocation, _lines(*follow_up), analysis


def consort_graph(
    counts: ConsortCounts,
    arm_labels: Mapping[str, str],
    criteria: Mapping[str, str],
    reasons: Mapping[str, str],
) -> graphviz.Digraph:
    title = {"label": "CONSORT 2025 flow diagram", "labelloc": "t", "fontname": "Helvetica"}
    graph = graphviz.Digraph("consort", graph_attr={"rankdir": "TB", "nodesep": "0.4", **title})
    graph.attr("node", **BOX)
    graph.node("assessed", f"Assessed for eligibility (n={counts.assessed})")
    graph.node("excluded", _exclusions(counts, criteria))
    graph.node("randomised", f"Randomised (n={counts.randomised})")
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
        else [("pooled", POOLED, counts.pooled)]
    )
    for stage in ("Allocation", "Follow-up", "Analysis"):
        graph.node(f"stage_{stage}", stage, shape="box", style="filled", fillcolor="#cfe2ff")
    graph.edge("stage_Allocation", "stage_Follow-up", style="invis")
    graph.edge("stage_Follow-up", "stage_Analysis", style="invis")
    for code, label, arm in columns:
        allocation, follow_up, analysis = _arm_boxes(arm, reasons)
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
