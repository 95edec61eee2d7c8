"""``ecombridge bench``: the benchmarks the project ships (see docs/performance.md)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ecombridge.bench import schema_baseline, statement_count
from ecombridge.bench.baseline import raw_upsert_rate
from ecombridge.bench.generator import generate
from ecombridge.bench.import_bench import (
    CpuMarks,
    LocalIntegrator,
    configure,
    install_app,
    run_import,
    type_counts,
)
from ecombridge.bench.pg_observer import PgObserver
from ecombridge.bench.relay_bench import run as run_relay
from ecombridge.bench.runner import bridge_run, machine, write_report
from ecombridge.bench.sync_bench import run_phases, set_up_portal
from ecombridge.db.engine import Database

app = typer.Typer(help="Measure throughput, latency and memory.", no_args_is_help=True)
console = Console()

Messages = Annotated[int, typer.Option(help="Messages in the throughput phase.")]
Concurrency = Annotated[int, typer.Option(help="Concurrent HTTP clients.")]
Seed = Annotated[int, typer.Option(help="Seed of the generated store.")]
Out = Annotated[Path, typer.Option(help="Where to write the JSON results.")]
DbUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="sqlite (default: a temporary file) or a PostgreSQL server URL; a fresh database "
        "is created next to the one named and dropped afterwards.",
    ),
]


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _load(result: dict[str, Any]) -> str:
    return " / ".join(f"{x:.2f}" for x in result["machine"]["load_average"])


def _sync_table(result: dict[str, Any]) -> Table:
    table = Table(title="Sync benchmark", show_header=True)
    table.add_column("figure")
    table.add_column("value", justify="right")
    t = result["throughput"]
    rows: list[tuple[str, Any]] = [
        ("messages (throughput phase)", t["messages"]),
        ("accepted messages/s", t["accepted_per_s"]),
        ("applied end to end messages/s", t["applied_per_s"]),
        (
            "accept latency p50 / p99 at full load (ms)",
            f"{_fmt(t['accept_p50_ms'])} / {_fmt(t['accept_p99_ms'])}",
        ),
    ]
    for paced in result["paced"]:
        rate = _fmt(paced["target_rate"])
        rows.append(
            (
                f"accept p50 / p99 at {rate} msg/s (ms)",
                f"{_fmt(paced['accept_p50_ms'])} / {_fmt(paced['accept_p99_ms'])}",
            )
        )
        rows.append(
            (
                f"freshness p50 / p99 at {rate} msg/s (ms)",
                f"{_fmt(paced['fresh_p50_ms'])} / {_fmt(paced['fresh_p99_ms'])}",
            )
        )
    if not result["freshness_target_rate_sustainable"]:
        rows.append(
            (
                f"freshness at {_fmt(result['freshness_target_rate'])} msg/s",
                "not sustainable",
            )
        )
    rows += _postgresql_rows(t.get("postgresql"))
    for name, counted in result.get("statements_per_1000_messages", {}).items():
        rows.append(
            (
                f"statements (executemany rows) per 1,000 messages: {name}",
                f"{counted['statements']:,.0f} ({counted['executemany_rows']:,.0f})",
            )
        )
    if "baseline_upserts_per_s" in result:
        rows.append(
            ("raw SQLite upserts/s (same rows, same run)", result["baseline_upserts_per_s"])
        )
        rows.append(("applied rate / raw upsert rate", result["ratio_to_baseline"]))
    if "schema_baseline_messages_per_s" in result:
        rows.append(
            (
                "raw write of the final rows, msg/s (same schema, same run)",
                result["schema_baseline_messages_per_s"],
            )
        )
        rows.append(
            ("applied rate / raw write of the final rows", result["ratio_to_schema_baseline"])
        )
        rows.append(("b-tree entries per applied message", result["btree_entries_per_message"]))
        for object_type, n in result["btree_entries_per_object_by_type"].items():
            rows.append((f"b-tree entries per {object_type} object", n))
    for name, rss in result["peak_rss_mb"].items():
        rows.append((f"peak RSS {name} (MB)", rss))
    rows.append(("load average at the end (1/5/15 min)", _load(result)))
    for label, value in rows:
        table.add_row(label, _fmt(value))
    return table


def _postgresql_rows(observed: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """The throughput phase's server-side counts on PostgreSQL (``pg_observer``)."""
    if observed is None:
        return []
    per_k = observed["per_1000_messages"]
    rows: list[tuple[str, Any]] = [
        ("PostgreSQL backends' CPU ms per 1,000 messages", per_k["server_cpu_ms"]),
        ("transactions per 1,000 messages", per_k["xact_commit"]),
        (
            "rows inserted / updated per 1,000 messages",
            f"{per_k['tup_inserted']:,.0f} / {per_k['tup_updated']:,.0f}",
        ),
    ]
    for name, ms in observed["bridge_process_cpu_ms_per_1000_messages"].items():
        rows.append((f"CPU ms per 1,000 messages: {name}", ms))
    waits = observed["active_backend_waits"]
    total = max(1, sum(waits.values()))
    top = ", ".join(f"{w} {100 * n / total:.0f}%" for w, n in list(waits.items())[:4])
    rows.append(("active backends' waits (sampled every 100 ms)", top))
    rows.append(
        (
            "samples with a backend waiting on a lock",
            f"{observed['samples_with_a_lock_wait']} of {observed['samples']}",
        )
    )
    return rows


def _schema_baseline(db: Database, result: dict[str, Any]) -> dict[str, Any]:
    """The raw rewrite of the run's final rows (``schema_baseline``), once every phase is
    applied, in a directory beside the run's database."""
    database = db.engine.url.database
    assert database is not None
    applied = result["throughput"]["messages"] + sum(p["messages"] for p in result["paced"])
    with tempfile.TemporaryDirectory() as tmp:
        return schema_baseline.measure(Path(database), Path(tmp), applied)


@app.command("sync")
def sync(
    messages: Messages = 100_000,
    concurrency: Concurrency = 4,
    database_url: DbUrl = None,
    serve_workers: Annotated[
        int, typer.Option(help="Worker processes the API process starts (serve --workers).")
    ] = 1,
    worker_processes: Annotated[int, typer.Option(help="Extra worker processes.")] = 0,
    paced_seconds: Annotated[float, typer.Option(help="Length of each paced phase.")] = 8.0,
    freshness_rate: Annotated[float, typer.Option(help="Rate for the freshness target.")] = 20_000,
    seed: Seed = 1,
    out: Out = Path("bench-results/sync.json"),
) -> None:
    """Push a generated store over HTTP and report throughput, latency, freshness and memory."""
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    counts_dir = tempfile.TemporaryDirectory(prefix="ecombridge-bench-statements-")
    os.environ[statement_count.ENV] = counts_dir.name  # for the processes the run starts
    with bridge_run(database_url, serve_workers, worker_processes) as run:
        set_up_portal(run.processes.base_url, run.api_key)
        pids = run.processes.named_pids()
        observer = None
        if not run.db.is_sqlite:
            observer = PgObserver(run.db.url, run.processes.named_pids())
        result: dict[str, Any] = run_phases(
            run.processes.base_url,
            run.api_key,
            run.db,
            messages,
            concurrency,
            seed,
            paced_seconds,
            freshness_rate,
            observer,
        )
        result["peak_rss_mb"] = run.processes.peak_rss()
        result["database"] = run.db.engine.dialect.name
        result.update(run.notes)
        if run.db.is_sqlite:
            result.update(_schema_baseline(run.db, result))
        time.sleep(1.5)  # the processes' last statement counts are written every second
    del os.environ[statement_count.ENV]
    applied = result["throughput"]["messages"] + sum(p["messages"] for p in result["paced"])
    result["statements_per_1000_messages"] = {
        name: {k: round(v * 1000 / applied, 1) for k, v in counted.items()}
        for name, counted in statement_count.read(Path(counts_dir.name), pids).items()
    }
    statement_count.stop()  # this process's engines counted too: their writer must be done
    counts_dir.cleanup()
    if result["database"] == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            baseline = raw_upsert_rate(generate(messages, seed=seed), Path(tmp))
        result["baseline_upserts_per_s"] = baseline
        result["ratio_to_baseline"] = result["throughput"]["applied_per_s"] / baseline
        result["ratio_to_schema_baseline"] = (
            result["throughput"]["applied_per_s"] / result["schema_baseline_messages_per_s"]
        )
    result["options"] = {
        "messages": messages,
        "concurrency": concurrency,
        "serve_workers": serve_workers,
        "worker_processes": worker_processes,
        "seed": seed,
    }
    result["machine"] = machine() | {"load_average_at_start": load_at_start}
    write_report(result, out)
    console.print(_sync_table(result))
    console.print(f"results written to {out}")


@app.command("import")
def import_(
    records: Annotated[
        int,
        typer.Option(
            help="Records to import (10% products, 30% each of contacts, deals and line items)."
        ),
    ] = 100_000,
    concurrency: Concurrency = 4,
    database_url: DbUrl = None,
    serve_workers: Annotated[
        int, typer.Option(help="Worker processes the API process starts (serve --workers).")
    ] = 1,
    worker_processes: Annotated[int, typer.Option(help="Extra worker processes.")] = 0,
    out: Out = Path("bench-results/import.json"),
) -> None:
    """Import a generated store through the import protocol; report its duration and memory."""
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with bridge_run(database_url, serve_workers, worker_processes) as run:
        app_tokens = install_app(run.database_url, run.portal_id)
        with LocalIntegrator(type_counts(records)) as integrator:
            configure(run.processes.base_url, app_tokens, integrator.url)
            pids = run.processes.named_pids()
            cpu = CpuMarks(pids | {"bench clients": os.getpid()})
            result: dict[str, Any] = run_import(
                run.processes.base_url,
                app_tokens["accessToken"],
                records,
                concurrency,
                on_received=cpu.mark_received,
            )
            cpu.mark_end()
            # CPU per 1,000 records of each process: a count the machine's load hardly changes.
            result["cpu_ms_per_1000_records"] = {
                name: round(seconds * 1e6 / records, 2)
                for name, seconds in cpu.used().items()
                if name in pids
            }
            result["cpu_share_percent"] = cpu.shares(
                result["receive_seconds"], result["apply_seconds"]
            )
        result["peak_rss_mb"] = run.processes.peak_rss()
        result["database"] = run.db.engine.dialect.name
        result.update(run.notes)
    result["options"] = {
        "records": records,
        "concurrency": concurrency,
        "serve_workers": serve_workers,
        "worker_processes": worker_processes,
    }
    result["machine"] = machine() | {"load_average_at_start": load_at_start}
    write_report(result, out)
    table = Table(title="Import benchmark", show_header=True)
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows: list[tuple[str, Any]] = [
        ("records", result["records"]),
        ("pages received (s)", result["receive_seconds"]),
        ("applied after the last end (s)", result["apply_seconds"]),
        ("first page to COMPLETE (s)", result["first_page_to_complete_seconds"]),
        ("records/s end to end", result["records_per_s"]),
    ]
    rows += [
        (f"CPU ms per 1,000 records: {name}", ms)
        for name, ms in result["cpu_ms_per_1000_records"].items()
    ]
    rows += [
        (f"core % receiving / after: {name}", f"{during} / {after}")
        for name, (during, after) in result["cpu_share_percent"].items()
    ]
    rows += [(f"peak RSS {name} (MB)", rss) for name, rss in result["peak_rss_mb"].items()]
    rows.append(("load average at the end (1/5/15 min)", _load(result)))
    for label, value in rows:
        table.add_row(label, _fmt(value))
    console.print(table)
    console.print(f"results written to {out}")


@app.command("relay")
def relay(
    objects: Annotated[
        int, typer.Option(help="Objects in the backlog (orders of a customer, a deal, 2 lines).")
    ] = 100_000,
    rate_limit: Annotated[
        str, typer.Option(help="The target's ECOMBRIDGE_RATE_LIMIT (HubSpot's private apps).")
    ] = "190/10s",
    database_url: DbUrl = None,
    out: Out = Path("bench-results/relay.json"),
) -> None:
    """Deliver a backlog to a second bridge under HubSpot's rate limit; report objects/s
    against the limit's ceiling, requests per 1,000 orders and the share answered 429."""
    result = run_relay(objects, rate_limit, database_url)
    result["machine"] = machine()
    write_report(result, out)
    table = Table(title="Relay benchmark", show_header=True)
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows: list[tuple[str, Any]] = [
        ("objects delivered", result["objects"]),
        ("orders", result["orders"]),
        ("seconds", result["seconds"]),
        ("objects/s", result["objects_per_s"]),
        (f"ceiling at {rate_limit} x 100 inputs (objects/s)", result["ceiling_objects_per_s"]),
        ("share of the ceiling", result["share_of_ceiling"]),
        ("requests", result["requests"]),
        ("requests per 1,000 orders", result["requests_per_1000_orders"]),
        ("share of requests answered 429", result["rate_limited_share"]),
        ("load average at the end (1/5/15 min)", _load(result)),
    ]
    for label, value in rows:
        table.add_row(label, _fmt(value))
    console.print(table)
    console.print(f"results written to {out}")
