"""Placeholder until this command lands."""

import click

COMMANDS: list[click.Command] = []
