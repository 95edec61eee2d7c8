"""Editing the custom integration's property mappings; app settings are read-only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from ecombridge.db.engine import Database
from ecombridge.sync_settings import service as settings_service
from ecombridge.sync_settings.schemas import PropertyMapping, Settings
from tests.support.factories import Portal, make_installed_app
from tests.web.conftest import csrf_of


def _save(client: TestClient, object_type: str, rows: list[tuple[str, str, str]]) -> Response:
    token = csrf_of(client.get(f"/app/mappings?type={object_type}").text)
    data = {
        "csrf_token": token,
        "object_type": object_type,
        "rows": str(len(rows)),
        "enabled": "on",
    }
    for index, (ext, hub, data_type) in enumerate(rows):
        data |= {f"ext_{index}": ext, f"hub_{index}": hub, f"type_{index}": data_type}
    return client.post("/app/mappings", data=data, follow_redirects=False)


def test_saving_mappings_stores_the_portals_settings(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    response = _save(
        user_client,
        "CONTACT",
        [("email", "email", "STRING"), ("first", "firstname", ""), ("", "", "")],
    )
    assert response.status_code == 303
    with db.read() as conn:
        stored = settings_service.get_settings(conn, portal.id, 0)
    assert stored.enabled is True
    assert stored.mappings["CONTACT"] == [
        PropertyMapping("email", "email", "STRING"),
        PropertyMapping("first", "firstname", None),
    ]
    page = user_client.get("/app/mappings?type=CONTACT&saved=1").text
    assert "Mappings saved." in page and 'value="firstname"' in page
    # another type's edit keeps the contact mappings
    _save(user_client, "DEAL", [("total", "amount", "NUMBER")])
    with db.read() as conn:
        stored = settings_service.get_settings(conn, portal.id, 0)
    assert len(stored.mappings["CONTACT"]) == 2
    assert stored.mappings["DEAL"] == [PropertyMapping("total", "amount", "NUMBER")]


def test_validation_messages_are_shown_next_to_the_bad_row(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    response = _save(
        user_client, "CONTACT", [("email", "email", ""), ("photo", "", "AVATAR_IMAGE")]
    )
    assert response.status_code == 200  # the form again, with the message at its row
    text = response.text
    assert 'class="mapping-row row-error"' in text
    # In plain words, tied to its field: no wire path
    assert "Row 2, crm property: is required" in text and 'aria-invalid="true"' in text
    assert "mappings.CONTACT" not in text
    assert 'value="photo"' in text  # what was typed is kept
    with db.read() as conn:
        assert settings_service.find_settings(conn, portal.id, 0) is None
    wrong_type = _save(user_client, "CONTACT", [("photo", "photo", "AVATAR_IMAGE")])
    assert "AVATAR_IMAGE is only allowed on PRODUCT" in wrong_type.text


def test_an_apps_settings_are_shown_read_only(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    app = make_installed_app(db, portal.id, name="Shop connector")
    settings = Settings(True, {"PRODUCT": [PropertyMapping("sku", "hs_sku", "STRING")]})
    with db.write() as conn:
        settings_service.put_settings_v2(conn, 0, app.app_id, settings)
    page = user_client.get(f"/app/mappings?source={app.app_id}&type=PRODUCT").text
    assert "Shop connector" in page and "hs_sku" in page
    assert 'id="mappings-form"' not in page


def test_a_nul_character_in_a_mapping_is_shown_as_an_error(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    response = _save(user_client, "CONTACT", [("email", "email", ""), ("a\x00b", "firstname", "")])

    assert response.status_code == 200
    assert 'class="mapping-row row-error"' in response.text
    assert "Row 2, store field:" in response.text
    with db.read() as conn:
        assert settings_service.find_settings(conn, portal.id, 0) is None


def test_a_property_the_portal_does_not_have_is_saved_with_a_warning(
    user_client: TestClient, db: Database, portal: Portal
) -> None:
    page = user_client.get("/app/mappings?type=CONTACT").text
    form = {"csrf_token": csrf_of(page), "object_type": "CONTACT", "rows": "1", "enabled": "on"}
    form |= {"ext_0": "nick", "hub_0": "this is not a property!", "type_0": ""}
    saved = user_client.post("/app/mappings", data=form)
    assert saved.status_code == 200 and "Mappings saved." in saved.text
    assert "The portal has no contact property named “this is not a property!”" in saved.text
    # Known properties show their label and suggest a data type
    assert '<option value="closedate">' not in saved.text  # contacts only
    assert "&#34;createdate&#34;: &#34;DATETIME&#34;" in saved.text
