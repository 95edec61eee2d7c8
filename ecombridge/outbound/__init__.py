"""Calls the bridge makes to other servers (webhooks, the relay, SMTP), and their guard."""
