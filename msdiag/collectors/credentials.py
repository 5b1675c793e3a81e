"""Credentials for remote scans: from the environment or a hidden prompt, never from argv.

A password given as a command-line option ends up in shell history, `ps` output and CI logs, so
msdiag has no such option. The password lives only in a :class:`Credentials` value whose repr and
str never show it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import click

from msdiag.collectors.text_input import checked_text
from msdiag.errors import InputError

USERNAME_ENV = "MSDIAG_USERNAME"
PASSWORD_ENV = "MSDIAG_PASSWORD"

# DOMAIN\user, user@domain.example or a local account name; generous but bounded.
_MAX_USERNAME = 256
_MAX_PASSWORD = 1024


@dataclass(frozen=True)
class Credentials:
    """A user name and password for WinRM authentication. repr/str never show the password."""

    username: str
    password: str = field(repr=False)


def _check_username(username: str) -> str:
    return checked_text(
        username, "user name", _MAX_USERNAME, if_empty=f"give --username or set {USERNAME_ENV}"
    )


def _check_password(password: str) -> str:
    if not password:
        raise InputError(f"the password is empty; set {PASSWORD_ENV} or type it at the prompt.")
    if len(password) > _MAX_PASSWORD:
        raise InputError(f"the password is longer than {_MAX_PASSWORD} characters.")
    return password


def _how_to_give(what: str) -> str:
    return (
        f"no {what} for the remote scan: set {USERNAME_ENV} and {PASSWORD_ENV} in the environment, "
        "or run msdiag from an interactive terminal to be prompted (the password is never taken on "
        "the command line)."
    )


def resolve_credentials(
    username: str | None,
    *,
    env: Mapping[str, str] = os.environ,
    interactive: bool,
    require_username: bool = True,
) -> Credentials:
    """Find the credentials for a remote scan.

    The user name comes from ``username`` (--username), else MSDIAG_USERNAME, else a prompt; the
    password from MSDIAG_PASSWORD, else a hidden prompt. Prompts happen only when ``interactive``
    (stdin is a terminal); otherwise a missing value is an InputError saying both ways to give it.
    ``require_username=False`` (fleets whose inventory names the account per host) accepts no user
    name here; the caller must then check that every host has one.
    """
    name = username if username else env.get(USERNAME_ENV)
    if not name and not require_username:
        password = env.get(PASSWORD_ENV)
        if not password and interactive:
            password = click.prompt(
                "Password for the inventory's accounts", hide_input=True, type=str, err=True
            )
        if not password:
            raise InputError(_how_to_give("password"))
        return Credentials(username="", password=_check_password(password))
    if not name:
        if not interactive:
            raise InputError(_how_to_give("user name"))
        name = click.prompt("User name (DOMAIN\\user or user@domain)", type=str, err=True)
    name = _check_username(name)

    password = env.get(PASSWORD_ENV)
    if not password:
        if not interactive:
            raise InputError(_how_to_give("password"))
        password = click.prompt(f"Password for {name}", hide_input=True, type=str, err=True)
    return Credentials(username=name, password=_check_password(password))
