"""``ecombridge bench`` at a tiny size: real server and worker processes, every figure reported.

Only the presence and sanity of the figures are checked, never their values: timings depend on
the machine and its load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def bench(*args: str, out: Path) -> dict[str, object]:
    subprocess.run(
        [sys.executable, "-m", "ecombridge", "bench", *args, "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report: dict[str, object] = json.loads(out.read_text())
    return report


def positive(value: object) -> bool:
    return isinstance(value, int | float) and value > 0


def test_sync_bench_reports_every_figure(tmp_path: Path) -> None:
    report = bench("sync", "--messages", "2000", "--paced-seconds", "1", out=tmp_path / "s.json")

    throughput = report["throughput"]
    assert isinstance(throughput, dict)
    assert throughput["messages"] >= 2000
    assert throughput["rejected_batches"] == 0
    for figure in ("accepted_per_s", "applied_per_s", "accept_p50_ms", "accept_p99_ms"):
        assert positive(throughput[figure]), figure
    paced = report["paced"]
    assert isinstance(paced, list) and paced
    for phase in paced:
        assert phase["rejected_batches"] == 0
        for figure in ("accept_p50_ms", "accept_p99_ms", "fresh_p50_ms", "fresh_p99_ms"):
            assert positive(phase[figure]), figure
    assert positive(report["baseline_upserts_per_s"])
    assert positive(report["ratio_to_baseline"])
    assert positive(report["schema_baseline_messages_per_s"])
    assert positive(report["ratio_to_schema_baseline"])
    statements = report["statements_per_1000_messages"]
    assert isinstance(statements, dict)
    assert positive(statements["api"]["statements"])
    assert positive(statements["api/worker-1"]["executemany_rows"])
    by_type = report["btree_entries_per_object_by_type"]
    assert isinstance(by_type, dict)
    # The object (its row, its key, the update index; the email index only for contacts), the
    # link (its row in its key's b-tree, the CRM id index), then two per association row stored
    # (row in its key's b-tree, reverse index; up to two per line item): 9. A few line items
    # also hold an error or a pending association (two entries each), hence the margin.
    assert by_type["PRODUCT"] == 5
    assert 5 < by_type["LINE_ITEM"] < 9.5
    rss = report["peak_rss_mb"]
    assert isinstance(rss, dict) and positive(rss["api"])
    assert report["database"] == "sqlite"
    assert isinstance(report["machine"], dict) and "load_average" in report["machine"]


def test_import_bench_completes_and_reports(tmp_path: Path) -> None:
    report = bench("import", "--records", "2000", out=tmp_path / "i.json")

    assert report["state"] == "COMPLETE"
    assert report["records"] == 2000
    assert report["applied"] == 2000
    for figure in ("first_page_to_complete_seconds", "records_per_s"):
        assert positive(report[figure]), figure
    cpu = report["cpu_ms_per_1000_records"]
    assert isinstance(cpu, dict) and positive(cpu["api"]) and positive(cpu["api/worker-1"])
    # Each process's share of a core while pages arrived and after the last end, the
    # benchmark's own clients too: two numbers each, percents of one core (two cores here).
    shares = report["cpu_share_percent"]
    assert isinstance(shares, dict)
    assert set(shares) == set(cpu) | {"bench clients"}
    for during, after in shares.values():
        assert 0 <= during <= 200 and 0 <= after <= 200
    rss = report["peak_rss_mb"]
    assert isinstance(rss, dict) and positive(rss["api"])
