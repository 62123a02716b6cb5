"""The shop's domain: catalogue, pricing, ordering, tracking, the ledger, payments,
admin operations, and their storage. Nothing here knows of Telegram's dispatcher or of
the handlers."""
