"""``ecombridge admin create-user`` and ``set-user-password``: people who sign in to a portal's
web UI."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from ecombridge.cli.options import DatabaseUrl, open_database
from ecombridge.errors import BridgeError
from ecombridge.web import service


def create_user(
    portal_id: Annotated[int, typer.Option("--portal-id", help="The portal the user sees.")],
    email: Annotated[str, typer.Option("--email", help="The email the user signs in with.")],
    password: Annotated[
        str,
        typer.Option("--password", help="At least 8 characters.", prompt=True, hide_input=True),
    ],
    database_url: DatabaseUrl = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Create a web UI user for a portal (sign in at /app)."""
    db = open_database(database_url)
    try:
        with db.write() as conn:
            user_id = service.create_user(conn, portal_id, email, password)
    except BridgeError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    email = service.normalise_email(email)
    if as_json:
        typer.echo(json.dumps({"userId": user_id, "email": email, "portalId": portal_id}))
    else:
        typer.echo(f"Created user {user_id} ({email}) for portal {portal_id}; sign in at /app.")


def set_user_password(
    email: Annotated[str, typer.Option("--email", help="The user's email.")],
    password: Annotated[
        str,
        typer.Option(
            "--password",
            help="At least 8 characters.",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
        ),
    ],
    database_url: DatabaseUrl = None,
) -> None:
    """Set a web UI user's password; every session of the user ends (signed out everywhere)."""
    db = open_database(database_url)
    try:
        new_hash = service.password_hash(password)
        with db.write() as conn:
            service.replace_password(conn, service.user_id_of(conn, email), new_hash)
    except BridgeError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    typer.echo(f"Password set for {service.normalise_email(email)}; their sessions have ended.")
