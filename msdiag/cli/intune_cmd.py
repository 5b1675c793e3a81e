"""`msdiag intune pull --script-id ID`: a remediation's results straight from Graph, as `ingest` does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from msdiag.cli.ingest_cmd import default_results, finish
from msdiag.cli.output import ensure_folder
from msdiag.errors import CollectionError, InputError
from msdiag.ingest.graph_auth import (
    DEFAULT_AUTHORITY_HOST,
    DEFAULT_GRAPH,
    ENV_CERTIFICATE,
    ENV_CLIENT_ID,
    ENV_SECRET,
    ENV_TENANT_ID,
    GraphSettings,
    tokens_from_environment,
)


@click.group("intune")
def intune_group() -> None:
    """Intune Remediations: pull the results of msdiag's detection script from Microsoft Graph."""


@intune_group.command("pull")
@click.option("--script-id", required=True, help="The remediation's id (a GUID, in the admin center's address bar).")
@click.option("--results", type=click.Path(path_type=Path, dir_okay=False),
              help="Results file to write (default: reports/msdiag-intune-<time>.jsonl).")
@click.option("--tenant", envvar=ENV_TENANT_ID, help=f"Tenant id or domain (or {ENV_TENANT_ID}).")
@click.option("--client-id", envvar=ENV_CLIENT_ID, help=f"The app registration's client id (or {ENV_CLIENT_ID}).")
@click.option("--device-code", is_flag=True,
              help=f"Sign in as a person with a code, even when {ENV_SECRET} or {ENV_CERTIFICATE} is set.")
@click.option("--save-pages", type=click.Path(path_type=Path, file_okay=False),
              help="Also keep each Graph page as a file here (re-read later with `msdiag ingest`).")
@click.option("--timeout", "timeout_s", type=click.IntRange(10, 24 * 3600), default=1800, show_default=True,
              help="Give up after this many seconds, throttling waits included.")
@click.option("--authority-host", default=DEFAULT_AUTHORITY_HOST, show_default=True,
              help="Sign-in host (national clouds: e.g. https://login.microsoftonline.us).")
@click.option("--graph-url", default=DEFAULT_GRAPH, show_default=True,
              help="Graph host (national clouds: e.g. https://graph.microsoft.us).")
@click.option("--ca-bundle", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="PEM file of the CAs to trust (a TLS-inspecting proxy).")
@click.option("--reports-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("reports"))
@click.option("--force", is_flag=True, help="Replace --results if it exists.")
def pull_cmd(script_id: str, results: Path | None, tenant: str | None, client_id: str | None, device_code: bool,
             save_pages: Path | None, timeout_s: int, authority_host: str, graph_url: str, ca_bundle: Path | None,
             reports_dir: Path, force: bool) -> int:
    """Pull a remediation's device results from Microsoft Graph into a fleet results file.

    \b
    Automation: set MSDIAG_CLIENT_ID, MSDIAG_TENANT_ID and MSDIAG_CLIENT_SECRET (or
    MSDIAG_CLIENT_CERTIFICATE, a .pfx or .pem, with MSDIAG_CLIENT_CERTIFICATE_PASSWORD);
    the app needs the application permission DeviceManagementConfiguration.Read.All.
    Without a secret or certificate a person signs in with a device code (delegated
    permission of the same name). Secrets are read from the environment only.

    Exit code 3 when Graph stopped before the last page (what arrived is still written).
    """
    from msdiag.ingest.graph_pull import GraphPager, run_states_url
    from msdiag.ingest.pipeline import Ingest
    from msdiag.ingest.readers.graph import page_rows

    if not tenant or not client_id:
        raise InputError(f"name the tenant and the app: --tenant/--client-id or {ENV_TENANT_ID}/{ENV_CLIENT_ID}")
    for url, what in ((authority_host, "--authority-host"), (graph_url, "--graph-url")):
        if not url.startswith("https://"):
            raise InputError(f"{what} must be an https address: {url[:200]}")
    settings = GraphSettings(tenant=tenant, client_id=client_id, authority_host=authority_host, graph=graph_url,
                             ca_bundle=str(ca_bundle) if ca_bundle else None)
    url = run_states_url(settings, script_id)
    tokens = tokens_from_environment(settings, lambda text: click.echo(text, err=True), device_code=device_code)
    if results is None:
        ensure_folder(reports_dir)
        results = default_results(reports_dir, "intune")
    if save_pages is not None:
        ensure_folder(save_pages, "page folder")
    pager = GraphPager(settings, tokens, deadline_s=timeout_s)
    job = Ingest(results, force=force)
    stopped: CollectionError | None = None
    interrupted = False
    try:
        for number, page in enumerate(pager.pages(url), start=1):
            name = f"graph page {number}"
            if save_pages is not None:
                name = str(_save_page(save_pages, number, page))
            job.add_all(page_rows(page, name))
    except CollectionError as exc:  # what arrived before is kept
        stopped = exc
    except KeyboardInterrupt:  # Ctrl-C: the pages that arrived are written, then msdiag stops
        interrupted = True
        stopped = CollectionError("interrupted")
    except BaseException:
        job.abort()
        raise
    progress = pager.progress
    click.echo(f"Graph: {progress.pages} pages ({tokens.how}), {progress.retries} retries after "
               f"{progress.waited_s:.0f} s of throttling waits, {progress.token_refreshes} new tokens", err=True)
    if stopped is not None and not job.summary.rows:
        job.abort()
        raise stopped
    summary = job.finish()
    code = finish(summary)
    if interrupted:
        raise KeyboardInterrupt
    if stopped is not None:
        raise CollectionError(f"{stopped.message}\nthe {progress.pages} pages received are in {summary.results} (partial)")
    return code


def _save_page(folder: Path, number: int, page: object) -> Path:
    path = folder / f"deviceRunStates-{number:05d}.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(page, handle, ensure_ascii=False)
    return path


COMMANDS: list[click.Command] = [intune_group]
