"""Wire models of sync status and sync errors, spelled as the reference (§5.4, §5.5, §6.3)."""

from __future__ import annotations

from pydantic import BaseModel


class SyncError(BaseModel):
    portalId: int
    storeId: str
    objectType: str
    externalObjectId: str
    changedAt: int
    erroredAt: int
    type: str
    details: str
    status: str


class SyncStatus(BaseModel):
    storeId: str
    objectType: str
    externalObjectId: str
    hubspotId: int | None
    lastProcessedAt: int | None
    errors: list[SyncError]


class SyncWarning(BaseModel):
    """Something the bridge did not apply although the object synced (the bridge's own)."""

    type: str  # PROPERTIES_NOT_DEFINED
    details: str
    properties: list[str]


class SyncStatusWithWarnings(SyncStatus):
    """v2 status with ``?includeWarnings=true``: strict clients (Yii models of venveo's plugin)
    refuse keys beyond the documented six, so ``warnings`` is only sent when asked for."""

    warnings: list[SyncWarning]


class V1SyncError(BaseModel):
    portalId: int
    objectType: str
    integratorObjectId: str
    changeOccurredTimestamp: int
    errorTimestamp: int
    type: str
    details: str
    status: str


class NextPage(BaseModel):
    # A 1-based record offset, as hubspot3 and hubspot-php send it back in ``page``.
    page: str
    link: str


class Paging(BaseModel):
    next: NextPage


class SyncErrorPage(BaseModel):
    results: list[SyncError]
    paging: Paging | None = None


class V1SyncErrorPage(BaseModel):
    results: list[V1SyncError]
    paging: Paging | None = None
