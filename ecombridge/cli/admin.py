"""``ecombridge admin``: create portals, apps, installations and tokens (uses services directly)."""

from __future__ import annotations

import json
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ecombridge.cli.options import DatabaseUrl, open_database
from ecombridge.cli.users import create_user, set_user_password
from ecombridge.config import get_config
from ecombridge.errors import BridgeError
from ecombridge.tenancy import service as tenancy
from ecombridge.tenancy.scopes import parse_scopes

app = typer.Typer(help="Administer portals, apps and credentials.", no_args_is_help=True)
console = Console()

Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Scopes = Annotated[
    str | None,
    typer.Option(
        "--scopes",
        help="Space- or comma-separated scopes to grant (default: every scope the bridge serves).",
    ),
]


def _scopes(raw: str | None) -> str:
    return tenancy.DEFAULT_SCOPES if raw is None else " ".join(parse_scopes(raw))


def _emit(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result))
    else:
        for key, value in result.items():
            console.print(f"[bold]{key}[/bold]: {value}")


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def _run(database_url: str | None, action: Any) -> Any:
    """Run ``action`` in one committed transaction; failures print one line and exit 1."""
    try:
        db = open_database(database_url)
    except (SQLAlchemyError, ArgumentError, OSError) as exc:
        _fail(f"cannot open the database: {str(exc).splitlines()[0]}")
    try:
        with db.write() as conn:
            return action(conn)
    except BridgeError as exc:
        _fail(exc.message)
    finally:
        db.dispose()


@app.command("create-portal")
def create_portal(
    name: Annotated[str, typer.Option(help="The portal's name.")],
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Create a portal and its API key."""
    created = _run(database_url, lambda conn: tenancy.create_portal(conn, name))
    _emit({"portalId": created.portal_id, "apiKey": created.api_key}, as_json)


@app.command("set-portal")
def set_portal(
    portal_id: Annotated[int, typer.Option("--portal-id", help="The portal to change.")],
    time_zone: Annotated[
        str | None, typer.Option(help="IANA time zone its dates are shown in, e.g. Europe/Berlin.")
    ] = None,
    currency: Annotated[
        str | None, typer.Option(help="ISO 4217 code of its currency, e.g. EUR.")
    ] = None,
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Set a portal's time zone and currency (what is not given stays)."""
    zone, code = _run(
        database_url,
        lambda conn: tenancy.set_portal_locale(
            conn, portal_id, time_zone=time_zone, currency=currency
        ),
    )
    _emit({"portalId": portal_id, "timeZone": zone, "currency": code}, as_json)


RedirectUris = Annotated[
    list[str] | None,
    typer.Option(
        "--redirect-uri",
        help="Where the OAuth flow may send the browser back to (repeatable; exact match).",
    ),
]


@app.command("create-app")
def create_app(
    name: Annotated[str, typer.Option(help="The app's name.")],
    redirect_uri: RedirectUris = None,
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Create an app (with its developer account, developer API key and OAuth client).

    Without --redirect-uri the app can be installed with install-app but not through the
    OAuth flow until set-app-redirect-uris registers its URIs."""
    uris = redirect_uri or []
    created = _run(database_url, lambda conn: tenancy.create_app(conn, name, uris))
    _emit(
        {
            "appId": created.app_id,
            "developerApiKey": created.developer_api_key,
            "clientId": created.client_id,
            "clientSecret": created.client_secret,
            "redirectUris": uris,
        },
        as_json,
    )


@app.command("set-app-redirect-uris")
def set_app_redirect_uris(
    app_id: Annotated[int, typer.Option("--app-id", help="The app to change.")],
    redirect_uri: RedirectUris = None,
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Replace an app's OAuth redirect URIs (none given: the OAuth flow refuses the app)."""
    uris = _run(
        database_url, lambda conn: tenancy.set_app_redirect_uris(conn, app_id, redirect_uri or [])
    )
    _emit({"appId": app_id, "redirectUris": uris}, as_json)


@app.command("reseal-secrets")
def reseal_secrets(database_url: DatabaseUrl = None, as_json: Json = False) -> None:
    """Encrypt every app client secret again with the first key of ECOMBRIDGE_SECRET_KEY.

    To change the key: put the new key first and the old one after it (comma-separated), run
    this, then drop the old key."""
    count = _run(database_url, tenancy.reseal_client_secrets)
    _emit({"resealed": count}, as_json)


@app.command("install-app")
def install_app(
    app_id: Annotated[int, typer.Option("--app-id", help="The app to install.")],
    portal_id: Annotated[int, typer.Option("--portal-id", help="The portal to install it in.")],
    scopes: Scopes = None,
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Install an app in a portal, as the OAuth flow does, and print its tokens."""
    ttl = get_config().access_token_ttl_seconds
    tokens = _run(
        database_url,
        lambda conn: tenancy.install_app(conn, app_id, portal_id, _scopes(scopes), ttl_s=ttl),
    )
    _emit(
        {
            "accessToken": tokens.access_token,
            "refreshToken": tokens.refresh_token,
            "expiresIn": tokens.expires_in,
        },
        as_json,
    )


@app.command("uninstall-app")
def uninstall_app(
    app_id: Annotated[int, typer.Option("--app-id", help="The app to uninstall.")],
    portal_id: Annotated[int, typer.Option("--portal-id", help="The portal to remove it from.")],
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Uninstall an app from a portal; its tokens stop working (within seconds in servers)."""
    _run(database_url, lambda conn: tenancy.uninstall_app(conn, app_id, portal_id))
    _emit({"appId": app_id, "portalId": portal_id, "uninstalled": True}, as_json)


@app.command("create-private-app-token")
def create_private_app_token(
    portal_id: Annotated[int, typer.Option("--portal-id", help="The portal the token acts for.")],
    scopes: Scopes = None,
    database_url: DatabaseUrl = None,
    as_json: Json = False,
) -> None:
    """Create a private-app token for a portal."""
    token = _run(
        database_url,
        lambda conn: tenancy.create_private_app_token(conn, portal_id, _scopes(scopes)),
    )
    _emit({"token": token}, as_json)


app.command("create-user")(create_user)
app.command("set-user-password")(set_user_password)
