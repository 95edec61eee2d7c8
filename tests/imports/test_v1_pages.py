"""v1 PUT/GET /extensions/ecomm/v1/import-pages/{importStartedAt}/{objectType}/{pageNumber} and
PUT .../end (reference §4 rows 15-17, §6.4), also without the /extensions/ecomm/v1 prefix as
hubspot-php's v1 client sends them (reference §11.2)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.imports.conftest import V1, Importer
from tests.imports.integrator import Integrator
from tests.support.factories import Portal
from tests.support.wire import assert_hubspot_error


@pytest.fixture
def v1(importer: Importer, integrator: Integrator) -> Importer:
    importer.configure(webhook_uri=None, trigger_uri=integrator.url)
    return importer


def contacts(*ids: str) -> list[dict[str, Any]]:
    return [
        {"integratorObjectId": i, "propertyNameToValues": {"email": f"{i}@shop.example"}}
        for i in ids
    ]


@pytest.mark.parametrize("prefix", [V1, ""], ids=["prefixed", "hubspot-php"])
def test_v1_pages_round_trip_and_end(v1: Importer, prefix: str) -> None:
    started_at = v1.started("default")
    base = f"{prefix}/import-pages/{started_at}/CONTACT"
    sent = contacts("c1", "c2")
    put = v1.client.put(f"{base}/1", json=sent, headers=v1.auth)
    assert put.status_code == 204
    assert put.content == b""
    got = v1.client.get(f"{base}/1", headers=v1.auth)
    assert got.status_code == 200
    assert got.json() == sent

    end = v1.client.put(f"{base}/end", json={"pageCount": 1, "itemCount": 2}, headers=v1.auth)
    assert end.status_code == 204
    contact = v1.progress("default")["objectTypes"]["CONTACT"]
    assert (contact["receivedPages"], contact["receivedItems"], contact["ended"]) == (1, 2, True)


def test_v1_spelling_alias_and_numeric_ids(v1: Importer) -> None:
    started_at = v1.started("default")
    body = [{"integratorObjectId": 42, "propertyNamesToValues": {"name": "Hat"}}]
    put = v1.client.put(f"{V1}/import-pages/{started_at}/PRODUCT/0", json=body, headers=v1.auth)
    assert put.status_code == 204
    got = v1.client.get(f"{V1}/import-pages/{started_at}/PRODUCT/0", headers=v1.auth)
    assert got.json() == [{"integratorObjectId": "42", "propertyNameToValues": {"name": "Hat"}}]


def test_v1_duplicate_page_and_unknown_page(v1: Importer) -> None:
    started_at = v1.started("default")
    path = f"/import-pages/{started_at}/CONTACT/3"
    assert v1.client.put(path, json=contacts("a"), headers=v1.auth).status_code == 204
    duplicate = v1.client.put(path, json=contacts("b"), headers=v1.auth)
    assert duplicate.status_code == 409
    assert_hubspot_error(duplicate.json(), "CONFLICT")
    missing = v1.client.get(f"/import-pages/{started_at}/CONTACT/4", headers=v1.auth)
    assert missing.status_code == 404
    assert_hubspot_error(missing.json(), "OBJECT_NOT_FOUND")


def test_v1_validation(v1: Importer) -> None:
    started_at = v1.started("default")
    base = f"{V1}/import-pages/{started_at}"
    too_many = v1.client.put(
        f"{base}/CONTACT/0", json=contacts(*map(str, range(501))), headers=v1.auth
    )
    assert too_many.status_code == 400
    missing_id = v1.client.put(
        f"{base}/CONTACT/0", json=[{"propertyNameToValues": {}}], headers=v1.auth
    )
    assert missing_id.status_code == 400
    assert "[0].integratorObjectId" in missing_id.json()["message"]
    not_a_list = v1.client.put(f"{base}/CONTACT/0", json={"a": 1}, headers=v1.auth)
    assert not_a_list.status_code == 400
    bad_type = v1.client.put(f"{base}/COMPANY/0", json=[], headers=v1.auth)
    assert bad_type.status_code == 400
    assert "objectType" in bad_type.json()["message"]
    bad_end = v1.client.put(f"{base}/CONTACT/end", json={"pageCount": 1}, headers=v1.auth)
    assert bad_end.status_code == 400
    assert "itemCount" in bad_end.json()["message"]
    unknown = v1.client.put(f"{V1}/import-pages/123/CONTACT/0", json=[], headers=v1.auth)
    assert unknown.status_code == 400
    assert "importStartedAt: 123" in unknown.json()["message"]


def test_v1_pages_need_an_app_token(client: TestClient, v1: Importer, portal: Portal) -> None:
    started_at = v1.started("default")
    path = f"{V1}/import-pages/{started_at}/CONTACT/0?hapikey={portal.api_key}"
    response = client.put(path, json=contacts("a"))
    assert response.status_code == 403
    assert_hubspot_error(response.json(), "INVALID_AUTHENTICATION")


def test_out_of_range_numbers_are_400(v1: Importer) -> None:
    started_at = v1.started("default")
    base = f"{V1}/import-pages/{started_at}/CONTACT"
    huge_page = v1.client.put(f"{base}/{2**31}", json=[], headers=v1.auth)
    assert huge_page.status_code == 400
    assert "pageNumber" in huge_page.json()["message"]
    huge_end = v1.client.put(
        f"{base}/end", json={"pageCount": 2**40, "itemCount": 1}, headers=v1.auth
    )
    assert huge_end.status_code == 400
    assert "pageCount" in huge_end.json()["message"]
    huge_start = v1.client.put(f"{V1}/import-pages/{2**70}/CONTACT/0", json=[], headers=v1.auth)
    assert huge_start.status_code == 400
