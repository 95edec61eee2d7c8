"""What goes wrong at the target is told truthfully and recovered from: a refused object is a
delivery failure of that object (the others land), a revoked token makes the destination
FAILING until a good one is given, 429s are waited out, a DELETE ends an object's delivery."""

from __future__ import annotations

from ecombridge.db.tables import crm_properties
from ecombridge.relay.client import TargetClient
from ecombridge.relay.ratelimit import TokenBucket
from tests.relay.conftest import DESTINATIONS, add_destination, destination, sdk
from tests.relay.target import Recorder, TargetPortal, TargetServer
from tests.workflows.shop import Shop, message

CART_URL = "ip__ecomm_bridge__abandoned_cart_url"


def _set_target_type(
    server: TargetServer, portal_id: int, name: str, type_: str, object_type: str = "DEAL"
) -> None:
    p = crm_properties.c
    with server.db.write() as conn:
        conn.execute(
            crm_properties.update()
            .where(p.portal_id == portal_id, p.object_type == object_type, p.name == name)
            .values(type=type_, field_type="number" if type_ == "number" else "text")
        )


def _errors(shop: Shop) -> list[dict[str, object]]:
    response = shop.client.get(shop.url("/extensions/ecomm/v2/sync/errors/portal"))
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def test_an_object_the_target_refuses_fails_alone_and_recovers_when_delivered(
    shop: Shop, target_server: TargetServer, target: TargetPortal, recorder: Recorder
) -> None:
    # The target's portal has the cart URL as a number: our URL is not a valid value there.
    _set_target_type(target_server, target.portal_id, CART_URL, "number")
    dest_id = add_destination(shop, target)
    shop.sync("CONTACT", shop.customer("ada"))
    shop.sync(
        "DEAL",
        shop.order("1", "ada", "processed", 10, cart_url=None),
        shop.order("2", "ada", "checkout_abandoned", 20),
    )

    assert any(s.status == 207 for s in recorder.to("/deals/batch/upsert"))
    deals = sdk(target).crm.deals.basic_api.get_page(properties=["dealname"]).results
    assert [d.properties["dealname"] for d in deals] == ["Order 1"]
    status = destination(shop, dest_id)
    assert (status["delivered"], status["failed"], status["pending"]) == (2, 1, 0)
    [error] = _errors(shop)
    assert error["externalObjectId"] == "order-2"
    assert error["type"] == "UNKNOWN_ERROR"
    assert str(error["details"]).startswith(f"Delivery to destination {dest_id} failed: ")
    assert CART_URL in str(error["details"])
    deal_id = shop.hubspot_id("DEAL", "order-2")
    detail = shop.client.get(
        shop.url("/extensions/ecomm/v2/sync/status/main/DEAL/order-2?includeDestinations=true")
    ).json()
    assert detail["hubspotId"] == deal_id
    [delivery] = detail["destinations"]
    assert (delivery["destinationId"], delivery["state"]) == (dest_id, "FAILED")

    _set_target_type(target_server, target.portal_id, CART_URL, "string")
    shop.sync("DEAL", shop.order("2", "ada", "checkout_abandoned", 25))
    assert _errors(shop) == []
    status = destination(shop, dest_id)
    assert (status["delivered"], status["failed"]) == (3, 0)
    assert len(sdk(target).crm.deals.basic_api.get_page().results) == 2


def test_a_revoked_token_makes_the_destination_failing_until_a_good_one_is_given(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    dest_id = add_destination(shop, target)
    shop.sync("CONTACT", shop.customer("ada"))
    path = shop.url(f"{DESTINATIONS}/{dest_id}")
    assert shop.client.patch(path, json={"accessToken": "pat-na1-revoked"}).status_code == 200

    shop.sync("CONTACT", shop.customer("grace"))
    status = destination(shop, dest_id)
    assert status["state"] == "FAILING"
    assert status["reason"]
    assert status["pending"] == 1
    assert [
        c.properties["email"] for c in sdk(target).crm.contacts.basic_api.get_page().results
    ] == ["ada@example.com"]

    assert shop.client.patch(path, json={"accessToken": target.token}).status_code == 200
    shop.run_due()
    status = destination(shop, dest_id)
    assert (status["state"], status["reason"], status["pending"]) == ("LIVE", None, 0)
    emails = {c.properties["email"] for c in sdk(target).crm.contacts.basic_api.get_page().results}
    assert emails == {"ada@example.com", "grace@example.com"}


def test_a_paused_destination_collects_changes_and_delivers_them_when_resumed(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    dest_id = add_destination(shop, target)
    shop.run_due()
    path = shop.url(f"{DESTINATIONS}/{dest_id}")
    assert shop.client.patch(path, json={"paused": True}).json()["state"] == "PAUSED"
    shop.sync("CONTACT", shop.customer("ada"))
    assert destination(shop, dest_id)["pending"] == 1
    assert sdk(target).crm.contacts.basic_api.get_page().results == []

    assert shop.client.patch(path, json={"paused": False}).status_code == 200
    shop.run_due()
    assert destination(shop, dest_id)["pending"] == 0
    assert len(sdk(target).crm.contacts.basic_api.get_page().results) == 1


def test_429s_are_waited_out_not_failed(target: TargetPortal, recorder: Recorder) -> None:
    class Unaware(TokenBucket):
        """A bucket that never learns the limit: the target's 429s must be honoured."""

        def acquire(self) -> None:
            pass

    with TargetClient(target.url, target.token, bucket=Unaware()) as client:
        answers = [client.call("GET", "/crm/v3/objects/contacts?limit=1") for _ in range(100)]
    assert {a.status_code for a in answers} == {200}
    assert client.rate_limited > 0
    assert [s.status for s in recorder.sent].count(429) == client.rate_limited


def test_a_delete_ends_delivery_and_the_target_keeps_the_object(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    dest_id = add_destination(shop, target)
    shop.sync("CONTACT", shop.customer("ada"))
    contact_id = shop.hubspot_id("CONTACT", "customer-ada")
    shop.sync("CONTACT", {**message("customer-ada", {}), "action": "DELETE"})
    # A CRM write changes the object after the DELETE: it is not delivered.
    response = shop.client.patch(
        shop.url(f"/crm/v3/objects/contacts/{contact_id}"), json={"properties": {"firstname": "X"}}
    )
    assert response.status_code == 200, response.text
    shop.run_due()

    status = destination(shop, dest_id)
    assert (status["pending"], status["stopped"]) == (0, 1)
    [contact] = sdk(target).crm.contacts.basic_api.get_page(properties=["firstname"]).results
    assert contact.properties["firstname"] == "Ada"


def test_a_destination_of_other_stores_gets_none_of_this_one(
    shop: Shop, target: TargetPortal, recorder: Recorder
) -> None:
    dest_id = add_destination(shop, target, storeIds=["elsewhere"])
    shop.sync("CONTACT", shop.customer("ada"))
    status = destination(shop, dest_id)
    assert (status["pending"], status["delivered"]) == (0, 0)
    assert sdk(target).crm.contacts.basic_api.get_page().results == []
