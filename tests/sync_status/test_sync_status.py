"""Sync status of one object: v2 (both path orders, store aliases) and v1."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from ecombridge.db.engine import Database
from tests.support.factories import InstalledApp, Portal, make_private_app_token
from tests.support.sync_rows import T0, ErrorRow, insert_failed, insert_store, insert_synced
from tests.support.wire import assert_hubspot_error, bearer

V2 = "/extensions/ecomm/v2/sync/status"
V1 = "/extensions/ecomm/v1/sync-status"


def test_synced_object_reports_its_hubspot_id(
    client: TestClient, db: Database, portal: Portal
) -> None:
    insert_synced(db, portal.id, "101", hubspot_id=5101, processed_at=T0 + 5)

    response = client.get(f"{V2}/default/CONTACT/101?hapikey={portal.api_key}")

    assert response.status_code == 200
    assert response.json() == {
        "storeId": "default",
        "objectType": "CONTACT",
        "externalObjectId": "101",
        "hubspotId": 5101,
        "lastProcessedAt": T0 + 5,
        "errors": [],
    }


def test_seed_path_order_object_type_first_is_accepted(
    client: TestClient, db: Database, portal: Portal
) -> None:
    insert_synced(db, portal.id, "7", object_type="DEAL", hubspot_id=9)

    response = client.get(f"{V2}/DEAL/default/7?hapikey={portal.api_key}")

    assert response.status_code == 200
    assert response.json()["objectType"] == "DEAL"
    assert response.json()["storeId"] == "default"
    assert response.json()["hubspotId"] == 9


def test_failed_last_attempt_lists_the_error_at_last_processed_time(
    client: TestClient, db: Database, portal: Portal
) -> None:
    failed = ErrorRow(
        portal.id,
        "p-1",
        errored_at=T0 + 90,
        object_type="PRODUCT",
        type="INVALID_ENUM_PROPERTY",
        details="bad enum",
        changed_at=T0 + 10,
    )
    insert_failed(db, failed, hubspot_id=None)

    body = client.get(f"{V2}/default/PRODUCT/p-1?hapikey={portal.api_key}").json()

    assert body["hubspotId"] is None
    assert body["lastProcessedAt"] == body["errors"][0]["erroredAt"] == T0 + 90
    assert body["errors"] == [
        {"portalId": portal.id, "storeId": "default", "objectType": "PRODUCT",
         "externalObjectId": "p-1", "changedAt": T0 + 10, "erroredAt": T0 + 90,
         "type": "INVALID_ENUM_PROPERTY", "details": "bad enum", "status": "OPEN"}
    ]  # fmt: skip


def test_unknown_object_is_400_not_404(client: TestClient, portal: Portal) -> None:
    response = client.get(f"{V2}/default/CONTACT/never-sent?hapikey={portal.api_key}")

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert "never-sent" in response.json()["message"]


def test_unknown_store_is_400(client: TestClient, portal: Portal) -> None:
    response = client.get(f"{V2}/no-such-store/CONTACT/1?hapikey={portal.api_key}")

    assert response.status_code == 400
    assert "no-such-store" in response.json()["message"]


def test_bad_object_type_is_400_naming_it(client: TestClient, portal: Portal) -> None:
    response = client.get(f"{V2}/default/contact/1?hapikey={portal.api_key}")

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")
    assert "objectType" in response.json()["message"]


@pytest.mark.parametrize("external_id", ["a@b.com", "x+y.z_w-1", "with space", "slash/ed"])
def test_ids_with_special_characters_are_percent_decoded(
    client: TestClient, db: Database, portal: Portal, external_id: str
) -> None:
    insert_synced(db, portal.id, external_id, hubspot_id=3)
    from urllib.parse import quote

    response = client.get(f"{V2}/default/CONTACT/{quote(external_id, safe='')}",
                          params={"hapikey": portal.api_key})  # fmt: skip

    assert response.status_code == 200
    assert response.json()["externalObjectId"] == external_id


def test_raw_at_sign_in_path_works(client: TestClient, db: Database, portal: Portal) -> None:
    insert_synced(db, portal.id, "jane@example.com", hubspot_id=3)

    response = client.get(f"{V2}/default/CONTACT/jane@example.com?hapikey={portal.api_key}")

    assert response.status_code == 200


def test_named_store_and_default_alias_resolve(
    client: TestClient, db: Database, portal: Portal
) -> None:
    insert_store(db, portal.id, "shop-1")
    insert_store(db, portal.id, "default", alias_id="new-main")
    insert_synced(db, portal.id, "1", store_id="shop-1", hubspot_id=11)
    insert_synced(db, portal.id, "1", store_id="default", hubspot_id=22)

    shop = client.get(f"{V2}/shop-1/CONTACT/1?hapikey={portal.api_key}").json()
    aliased = client.get(f"{V2}/new-main/CONTACT/1?hapikey={portal.api_key}").json()

    assert shop["hubspotId"] == 11 and shop["storeId"] == "shop-1"
    assert aliased["hubspotId"] == 22 and aliased["storeId"] == "new-main"


def test_app_token_sees_the_apps_data_not_the_portals(
    client: TestClient, db: Database, portal: Portal, installed_app: InstalledApp
) -> None:
    insert_synced(db, portal.id, "1", hubspot_id=1, source_app_id=installed_app.app_id)
    insert_synced(db, portal.id, "2", hubspot_id=2)
    token = bearer(installed_app.access_token)

    assert client.get(f"{V2}/default/CONTACT/1", headers=token).json()["hubspotId"] == 1
    assert client.get(f"{V2}/default/CONTACT/2", headers=token).status_code == 400
    assert client.get(f"{V2}/default/CONTACT/1?hapikey={portal.api_key}").status_code == 400
    private = bearer(make_private_app_token(db, portal.id))
    assert client.get(f"{V2}/default/CONTACT/2", headers=private).json()["hubspotId"] == 2


def test_other_portal_cannot_read_status(
    client: TestClient, db: Database, portal: Portal, other_portal: Portal
) -> None:
    insert_synced(db, portal.id, "1", hubspot_id=1)

    response = client.get(f"{V2}/default/CONTACT/1?hapikey={other_portal.api_key}")

    assert response.status_code == 400


def test_developer_key_is_refused_and_no_credential_is_401(
    client: TestClient, installed_app: InstalledApp
) -> None:
    wrong = client.get(f"{V2}/default/CONTACT/1?hapikey={installed_app.developer_api_key}")
    missing = client.get(f"{V2}/default/CONTACT/1")

    assert wrong.status_code == 403
    assert_hubspot_error(wrong.json(), "INVALID_AUTHENTICATION")
    assert missing.status_code == 401


# ---------------------------------------------------------------------------------------------
# v1


def test_v1_status_of_a_synced_object(client: TestClient, db: Database, portal: Portal) -> None:
    insert_synced(db, portal.id, "mitxpro-16", object_type="DEAL", hubspot_id=77,
                  processed_at=T0 + 1)  # fmt: skip

    response = client.get(f"{V1}/DEAL/mitxpro-16?hapikey={portal.api_key}")

    assert response.status_code == 200
    assert response.json() == {
        "externalObjectId": "mitxpro-16",
        "lastProcessedAt": T0 + 1,
        "numErrors": 0,
        "hubspotId": 77,
        "objectType": "DEAL",
    }


def test_v1_status_without_hubspot_id_has_it_null_and_counts_open_errors(
    client: TestClient, db: Database, portal: Portal
) -> None:
    """mitxpro's exists_in_hubspot reads sync_status["hubspotId"]: a missing key crashed it."""
    insert_failed(db, ErrorRow(portal.id, "c-1", errored_at=T0 + 3))

    response = client.get(f"{V1}/CONTACT/c-1?hapikey={portal.api_key}")

    assert response.json() == {
        "externalObjectId": "c-1",
        "lastProcessedAt": T0 + 3,
        "numErrors": 1,
        "hubspotId": None,
        "objectType": "CONTACT",
    }


def test_warnings_name_skipped_properties_v1_always_v2_when_asked(
    client: TestClient, db: Database, portal: Portal
) -> None:
    insert_synced(db, portal.id, "w", hubspot_id=3, skipped_properties=["name", "nickname"])
    key = f"hapikey={portal.api_key}"

    v1 = client.get(f"{V1}/CONTACT/w?{key}").json()
    [warning] = v1.pop("warnings")
    assert v1["hubspotId"] == 3 and v1["numErrors"] == 0
    assert warning["type"] == "PROPERTIES_NOT_DEFINED"
    assert warning["properties"] == ["name", "nickname"]
    assert "name, nickname" in warning["details"]

    # Strict v2 clients take exactly the six documented keys unless warnings are asked for.
    plain = client.get(f"{V2}/default/CONTACT/w?{key}").json()
    assert set(plain) == {
        "storeId", "objectType", "externalObjectId", "hubspotId", "lastProcessedAt", "errors"
    }  # fmt: skip
    asked = client.get(f"{V2}/default/CONTACT/w?{key}&includeWarnings=true").json()
    assert asked.pop("warnings") == [warning]
    assert asked == plain

    insert_synced(db, portal.id, "ok", hubspot_id=4)
    assert "warnings" not in client.get(f"{V1}/CONTACT/ok?{key}").json()
    assert (
        client.get(f"{V2}/default/CONTACT/ok?{key}&includeWarnings=true").json()["warnings"] == []
    )


def test_v1_status_reads_the_default_store_only(
    client: TestClient, db: Database, portal: Portal
) -> None:
    insert_synced(db, portal.id, "1", store_id="shop-1", hubspot_id=1)

    response = client.get(f"{V1}/CONTACT/1?hapikey={portal.api_key}")

    assert response.status_code == 400
    assert_hubspot_error(response.json(), "VALIDATION_ERROR")


def test_v1_status_bad_object_type_is_400(client: TestClient, portal: Portal) -> None:
    response = client.get(f"{V1}/BANANA/1?hapikey={portal.api_key}")

    assert response.status_code == 400
    assert "objectType" in response.json()["message"]
