"""The largest values the database's integer columns hold; bigger input is a 400, never SQL."""

MAX_INT32 = 2**31 - 1  # INTEGER columns: page numbers, page counts, display orders
MAX_BIGINT = 2**63 - 1  # BIGINT columns: ids, epoch milliseconds, item counts
