"""Sending email: SMTP settings, a guarded SMTP connection, MIME messages, unsubscribe tokens."""
