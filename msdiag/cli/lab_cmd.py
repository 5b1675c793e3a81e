"""`msdiag lab serve`: WinRM endpoints on 127.0.0.1 that answer like Windows hosts (no Windows needed)."""

from __future__ import annotations

import contextlib
import csv
import os
import secrets
import time
from pathlib import Path

import click

from msdiag.cli.interrupts import interrupts_like_ctrl_c
from msdiag.errors import InputError
from msdiag.files import Mode, open_private
from msdiag.lab import LabServer, load_lab_hosts
from msdiag.lab.config import LabHost
from msdiag.sanitize import clean_text

USERNAME_ENV = "MSDIAG_LAB_USERNAME"
PASSWORD_ENV = "MSDIAG_LAB_PASSWORD"
DEFAULT_USERNAME = "labuser"


def _credentials() -> tuple[str, str, bool]:
    """(user name, password, whether the password was generated here)."""
    username = os.environ.get(USERNAME_ENV) or DEFAULT_USERNAME
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return username, password, False
    return username, secrets.token_urlsafe(18), True


DEFAULT_INVENTORY = Path("lab-inventory.csv")


def _inventory_names(chosen: Path | None) -> list[Path]:
    """Where the inventory may go: the one given (``--inventory``), else lab-inventory.csv or,
    when that is taken (another lab is running, or one did not stop cleanly), -2, -3 ..."""
    if chosen is not None:
        return [chosen]
    stem, suffix = DEFAULT_INVENTORY.stem, DEFAULT_INVENTORY.suffix
    return [DEFAULT_INVENTORY] + [DEFAULT_INVENTORY.with_name(f"{stem}-{n}{suffix}") for n in range(2, 100)]


def _write_inventory(
    chosen: Path | None, lab: LabServer, hosts: list[LabHost], username: str, *, force: bool
) -> Path:
    """Write the lab's fleet inventory; never over another lab's (each run has its own ports)."""
    for path in _inventory_names(chosen):
        try:
            _write_inventory_to(path, lab, hosts, username, "w" if force and chosen else "x")
            return path
        except FileExistsError:
            continue
    if chosen is not None:
        raise InputError(
            f"{chosen} already exists (another lab's inventory?); choose another --inventory, or add --force to replace it"
        )
    raise InputError(
        f"too many lab inventories in this folder ({DEFAULT_INVENTORY}, -2 ... -99); remove old ones"
    )


def _write_inventory_to(path: Path, lab: LabServer, hosts: list[LabHost], username: str, mode: Mode) -> None:
    auth = "ntlm"
    by_name = {h.name: h for h in hosts}
    try:
        with open_private(path, mode, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["host", "port", "transport", "auth", "username", "tags", "name"])
            for endpoint in lab.endpoints():
                tags = ["lab", endpoint.name, *by_name[endpoint.name].faults.active()]
                writer.writerow(
                    [
                        endpoint.host,
                        endpoint.port,
                        endpoint.transport,
                        auth,
                        username,
                        " ".join(tags),
                        endpoint.name,
                    ]
                )
    except FileExistsError:
        raise
    except OSError as exc:
        raise InputError(f"cannot write the lab inventory {path}: {exc.strerror or exc}") from None


def _scan_command(port: int, transport: str, username: str, ca_file: Path | None) -> str:
    command = f"msdiag scan --host 127.0.0.1 --port {port} --transport {transport} --auth ntlm"
    command += f" --username {username}"
    if ca_file is not None:
        command += f" --ca-bundle {ca_file}"
    return command


@click.group("lab")
def lab_group() -> None:
    """Simulated Windows hosts on 127.0.0.1 for trying msdiag without Windows (see docs/lab.md)."""


@lab_group.command("serve")
@click.option(
    "--hosts",
    "hosts_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of capture files (<name>.json) and fault files; default: the built-in lab hosts.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="First port: lab hosts listen on N, N+1, ... in name order (0 = any free ports).",
)
@click.option("--transport", type=click.Choice(["http", "https"]), default="http", show_default=True)
@click.option(
    "--inventory",
    "inventory_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a fleet inventory CSV of the lab hosts here (for `msdiag scan --inventory`; default "
    "lab-inventory.csv, or -2, -3 ... when another lab's is there). Removed when the lab stops.",
)
@click.option("--force", is_flag=True, help="Replace the --inventory file if it exists.")
def serve(
    hosts_dir: Path | None, port: int, transport: str, inventory_path: Path | None, force: bool
) -> None:
    """Serve lab hosts over WinRM (NTLM/Negotiate with encryption; Basic over HTTPS) until Ctrl-C.

    Each lab host answers from its capture file: the lab never runs PowerShell. It binds to
    127.0.0.1 only, and a client names a lab host by its port. The user name and password come
    from MSDIAG_LAB_USERNAME / MSDIAG_LAB_PASSWORD; without a password one is generated and
    printed here (the only place it is shown).
    """
    hosts = load_lab_hosts(hosts_dir)
    if port and port + len(hosts) - 1 > 65535:
        raise InputError(f"--port {port}: not enough ports above it for {len(hosts)} lab hosts")
    username, password, generated = _credentials()
    lab = LabServer(
        hosts,
        transport="https" if transport == "https" else "http",
        username=username,
        password=password,
        first_port=port,
    )
    written: Path | None = None
    # SIGTERM and SIGHUP stop the lab like Ctrl-C, so its inventory is removed: from before it starts
    # (a supervisor may send them as soon as the "Press Ctrl-C" line is out)
    with interrupts_like_ctrl_c(), contextlib.suppress(KeyboardInterrupt):
        try:
            try:
                lab.start()
            except OSError as exc:
                raise InputError(f"cannot start the lab: {exc}") from None
            written = inventory_path = _write_inventory(inventory_path, lab, hosts, username, force=force)
            _announce(lab, hosts, transport, username, password if generated else None, inventory_path)
            while True:
                time.sleep(3600)
        finally:
            lab.stop()
            if written is not None:  # its ports answer no more: a later fleet would find every host down
                written.unlink(missing_ok=True)
    click.echo("msdiag lab: stopped")


def _announce(
    lab: LabServer, hosts: list[LabHost], transport: str, username: str, generated: str | None, inventory: Path
) -> None:
    """What the lab serves and how to scan it (a generated password is shown here only)."""
    faults = {h.name: h.faults.active() for h in hosts}
    click.echo(f"msdiag lab: {len(hosts)} host(s) on 127.0.0.1 over {transport} (the lab never runs PowerShell)")
    click.echo(f"  user name: {username}")
    if generated is not None:
        click.echo(f"  password:  {generated}   (generated; set {PASSWORD_ENV} to choose one)")
    else:
        click.echo(f"  password:  from {PASSWORD_ENV}")
    if lab.ca_file is not None:
        click.echo(f"  CA bundle: {lab.ca_file}")
    click.echo(f"  inventory: {inventory}")
    click.echo("")
    for endpoint in lab.endpoints():
        shown = ", ".join(faults[endpoint.name]) or "none"
        # host names come from the capture files in --hosts: shown cleaned
        name = clean_text(endpoint.name)
        click.echo(f"  {name:<22} {endpoint.url:<32} port {endpoint.port:<6} faults: {shown}")
        click.echo(f"      MSDIAG_PASSWORD=... {_scan_command(endpoint.port, transport, username, lab.ca_file)}")
    click.echo("")
    click.echo(f"Fleet: MSDIAG_PASSWORD=... msdiag scan --inventory {inventory}")
    click.echo("Press Ctrl-C to stop.")


COMMANDS: list[click.Command] = [lab_group]
